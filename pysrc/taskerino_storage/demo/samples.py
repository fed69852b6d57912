"""Deterministic, Taskerino-realistic legacy sessions for the demo page, benchmarks and tests.

Every session is a plain JSON-compatible dict shaped like Taskerino's ``Session`` type
(camelCase keys: the types in session/models.py, read from Taskerino's source), with screenshots and their AI
analysis, audio segments, an optional video with chunks and chapters, a summary, audio
insights and a full transcription.

Determinism: ``generate_session(index, seed)`` depends only on ``(index, seed)``. Each
session draws from its own ``random.Random(f"{seed}:{index}")``; nothing reads the global
random state or the clock. Only ``random()`` and ``getrandbits()`` of the generator and
plain float multiplication/addition are used (no ``math`` functions, no ``choice``), so the
same dict comes out in CPython 3.11 and in Pyodide's Python 3.14.

Stdlib only; no 3.12+ syntax.
"""
import datetime as _dt
import random as _random

__all__ = [
    "BROKEN_KINDS",
    "broken_positions",
    "generate_session",
    "generate_sessions",
    "iter_sessions",
]

# ---------------------------------------------------------------------------------------
# Vocabulary (small, built in, developer work)
# ---------------------------------------------------------------------------------------

_SESSION_KINDS = (
    "Morning coding session",
    "Afternoon coding session",
    "Late night hacking",
    "Client presentation",
    "Design review",
    "Code review",
    "Sprint planning",
    "Bug bash",
    "Deep work block",
    "Pairing session",
    "Refactoring session",
    "Release prep",
    "Customer call",
    "Research spike",
    "Documentation pass",
    "Incident follow-up",
    "Team standup",
    "Onboarding walkthrough",
)

_TOPICS = (
    "auth flow",
    "session storage",
    "IndexedDB migration",
    "onboarding screen",
    "billing webhooks",
    "search index",
    "sidebar component",
    "Tauri file watcher",
    "CI pipeline",
    "API rate limiter",
    "dashboard charts",
    "notification service",
    "dark mode",
    "CSV export",
    "parser tests",
    "settings page",
    "audio transcription",
    "screenshot analysis",
    "task extraction",
    "offline sync",
    "GraphQL schema",
    "payment retries",
    "mobile layout",
    "release notes",
)

_APPS = (
    "VS Code", "Chrome DevTools", "the terminal", "Figma", "Slack", "GitHub", "Linear",
    "Notion", "Zoom", "Postman", "Xcode", "Safari", "Firefox", "iTerm",
)

_ACTIVITIES = (
    "coding", "debugging", "code review", "reading documentation", "writing tests",
    "design work", "meeting", "email", "planning", "research", "terminal work",
    "writing documentation", "browsing issues", "pair programming",
)

_CATEGORIES = (
    ("Development", ("Frontend", "Backend", "Testing", "Debugging", "Refactoring", "DevOps")),
    ("Design", ("UI Design", "UX Research", "Prototyping")),
    ("Meetings", ("Client Call", "Standup", "Planning", "Review")),
    ("Documentation", ("API Docs", "Guides", "Release Notes")),
    ("Research", ("Spike", "Evaluation", "Reading")),
)

_ACTIVITY_TYPES = ("deep-work", "collaboration", "meeting", "review", "learning", "admin")

_TAGS = (
    "frontend", "backend", "react", "typescript", "rust", "tauri", "bugfix", "feature",
    "refactor", "testing", "design", "meeting", "client", "docs", "performance", "ci",
    "storage", "ai", "audio", "urgent", "q4", "planning",
)

_PEOPLE = ("Sarah", "Marcus", "Priya", "Tom", "Lena", "Diego", "Aiko", "Jonas", "Fatima", "Ravi")

_EMOTIONS = ("focused", "frustrated", "curious", "relieved", "satisfied", "confused",
             "energized", "tired", "determined")

_KEY_MOMENT_TYPES = ("achievement", "blocker", "decision", "insight")


def _fill(templates, topics=_TOPICS, apps=_APPS, people=_PEOPLE):
    """Expand templates deterministically (fixed order, no randomness) into a pool."""
    out = []
    for t_i, template in enumerate(templates):
        for k in range(len(topics)):
            out.append(template.format(
                topic=topics[(k + t_i) % len(topics)],
                app=apps[(k * 3 + t_i) % len(apps)],
                person=people[(k * 7 + t_i) % len(people)],
                n=(k * 13 + t_i * 5) % 47 + 2,
            ))
    return tuple(out)


_SUMMARIES = _fill((
    "User is editing the {topic} code in {app}, focusing on error handling.",
    "Working in {app} on the {topic}; a diff with several changed files is open.",
    "Debugging a failing test related to the {topic} with {app} open side by side.",
    "Reviewing a pull request for the {topic} in {app} and leaving inline comments.",
    "Reading documentation about the {topic} in {app}.",
    "Running the test suite for the {topic} in {app}; {n} tests pass, one fails.",
    "Sketching a new layout for the {topic} in {app}.",
    "In a call with {person} discussing the {topic}, shared screen shows {app}.",
    "Writing a design note about the {topic} in {app}.",
    "Profiling the {topic} in {app}; a flame graph is visible.",
))

_EXTRACTED_TEXT = _fill((
    "TypeError: Cannot read properties of undefined (reading '{topic}') at index.ts:{n}",
    "PASS src/{n}/{topic}.test.ts  ({n} tests)  FAIL src/lib/storage.test.ts",
    "git diff --stat  {n} files changed, {n}0 insertions(+), {n} deletions(-)",
    "TODO({person}): revisit the {topic} once the API is stable",
    "const result = await loadSession(id); // {topic}, retry {n} times",
    "PR #{n}{n}: Improve {topic} handling - 3 comments, 1 approval",
    "Warning: Each child in a list should have a unique \"key\" prop. ({topic})",
    "{app} - {topic} - Unsaved changes",
))

_KEY_ELEMENTS = (
    "code editor", "terminal output", "stack trace", "test runner", "pull request diff",
    "browser console", "network tab", "Figma frame", "Slack thread", "issue tracker",
    "API response", "database table", "flame graph", "documentation page", "video call",
    "commit history", "build log", "component tree", "settings panel", "error toast",
)

_ACTIONS = _fill((
    "Add a regression test for the {topic}",
    "Extract the {topic} logic into a separate module",
    "Ask {person} to review the {topic} changes",
    "Document the edge cases of the {topic}",
    "Add retry with backoff to the {topic}",
    "Create a ticket for the flaky {topic} test",
))

_ACHIEVEMENTS = _fill((
    "Fixed the race condition in the {topic}",
    "Got all {n} tests for the {topic} passing",
    "Shipped the first version of the {topic}",
    "Cut the load time of the {topic} by {n}%",
    "Merged the {topic} pull request after review from {person}",
    "Wrote the migration plan for the {topic}",
))

_BLOCKERS = _fill((
    "Waiting on {person} for API access to the {topic}",
    "Flaky test in the {topic} blocks the merge",
    "Unclear requirements for the {topic}",
    "The {topic} fails only in the production build",
    "Quota exceeded while testing the {topic}",
))

_INSIGHTS = _fill((
    "The {topic} spends most of its time serialising JSON",
    "Most {topic} bugs come from missing null checks",
    "Splitting the {topic} into chunks would make saves much faster",
    "{person} already solved a similar problem in the {topic}",
    "The {topic} can reuse the existing cache layer",
))

_SPOKEN = _fill((
    "Okay, so now I'm looking at the {topic} again.",
    "Hmm, why is the {topic} rendering twice here?",
    "Let me check the network tab real quick for the {topic}.",
    "Alright, that fixed the type error in the {topic}.",
    "Note to self, follow up with {person} about the {topic}.",
    "I think we need a retry around the {topic} call.",
    "So the test is failing because the mock returns undefined.",
    "Let's just log this and see what {app} says.",
    "Okay that's weird, it works locally but not in CI.",
    "I should write a ticket for the {topic} before I forget.",
    "Right, {n} milliseconds, that's way better than before.",
    "Let me pull the latest main and rerun the {topic} tests.",
    "This whole {topic} thing needs a cleaner interface honestly.",
    "Okay, committing this and moving on to the {topic}.",
))

_NARRATIVE = _fill((
    "The session started with a look at the {topic} in {app}.",
    "Most of the time went into debugging the {topic}.",
    "A short call with {person} clarified the open questions about the {topic}.",
    "After a break, work moved on to tests for the {topic}.",
    "The session ended with a cleanup of the {topic} code and a pull request.",
    "There was a noticeable slowdown while waiting for CI on the {topic}.",
))

_DESCRIPTIONS = _fill((
    "Working on the {topic}.",
    "Focus: {topic}. Goal is to get it reviewed today.",
    "Follow-up from the meeting with {person} about the {topic}.",
    "Continue the {topic} work from yesterday.",
    "",
))

_VIDEO_TOPICS = _fill((
    "Setting up the {topic}",
    "Debugging the {topic}",
    "Reviewing the {topic} changes",
    "Discussion about the {topic}",
    "Testing the {topic}",
))

_CHUNK_DESCRIPTIONS = _fill((
    "The user navigates through the {topic} code in {app} and edits several functions.",
    "Terminal output shows the {topic} test run; the user scrolls through the failures.",
    "Screen share with {person}; the {topic} design is discussed in {app}.",
    "The user reads documentation about the {topic} and copies an example.",
))

# ---------------------------------------------------------------------------------------
# Small deterministic helpers
# ---------------------------------------------------------------------------------------

_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()
_DAY_MS = 86_400_000
_DAY_CACHE = {}


def _iso(ms):
    """Epoch milliseconds → ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (fast: the date part is cached)."""
    day, rem = divmod(ms, _DAY_MS)
    date = _DAY_CACHE.get(day)
    if date is None:
        date = _DAY_CACHE[day] = _dt.date.fromordinal(_EPOCH_ORDINAL + day).isoformat()
    sec, milli = divmod(rem, 1000)
    minute, sec = divmod(sec, 60)
    hour, minute = divmod(minute, 60)
    return "%sT%02d:%02d:%02d.%03dZ" % (date, hour, minute, sec, milli)


# 2024-09-02T00:00:00Z .. about 420 days later
_BASE_MS = 1_725_235_200_000


class _Gen:
    """Per-session drawing helpers around one ``random.Random``."""

    __slots__ = ("rnd", "bits")

    def __init__(self, key):
        rng = _random.Random(key)
        self.rnd = rng.random
        self.bits = rng.getrandbits

    def pick(self, seq):
        return seq[int(self.rnd() * len(seq))]

    def some(self, seq, lo, hi):
        """``lo..hi`` items of ``seq`` (may repeat when the pool is small)."""
        rnd = self.rnd
        n = lo + int(rnd() * (hi - lo + 1))
        size = len(seq)
        return [seq[int(rnd() * size)] for _ in range(n)]

    def int_between(self, lo, hi):
        return lo + int(self.rnd() * (hi - lo + 1))

    def chance(self, p):
        return self.rnd() < p

    def hexid(self, nbits=32):
        return "%0*x" % (nbits // 4, self.bits(nbits))

    def uuid(self):
        h = "%032x" % self.bits(128)
        return "%s-%s-4%s-a%s-%s" % (h[:8], h[8:12], h[13:16], h[17:20], h[20:])

    def sha(self):
        return "%064x" % self.bits(256)


# ---------------------------------------------------------------------------------------
# Parts of a session
# ---------------------------------------------------------------------------------------

def _ai_analysis(g, newer_fields):
    rnd = g.rnd
    a = {
        "summary": g.pick(_SUMMARIES) + (" " + g.pick(_SUMMARIES) if rnd() < 0.5 else ""),
        "detectedActivity": g.pick(_ACTIVITIES),
        "extractedText": "\n".join(g.some(_EXTRACTED_TEXT, 1, 4)),
        "keyElements": g.some(_KEY_ELEMENTS, 2, 6),
        "suggestedActions": g.some(_ACTIONS, 0, 3),
        "confidence": round(0.55 + 0.44 * rnd(), 2),
        "curiosity": round(rnd(), 2),
        "progressIndicators": {
            "achievements": g.some(_ACHIEVEMENTS, 0, 2),
            "blockers": g.some(_BLOCKERS, 0, 1),
            "insights": g.some(_INSIGHTS, 0, 2),
        },
    }
    if rnd() < 0.25:
        a["contextDelta"] = "Switched from %s to %s." % (g.pick(_ACTIVITIES), g.pick(_ACTIVITIES))
    if rnd() < 0.2:
        a["curiosityReason"] = "Unclear whether the %s change is finished." % g.pick(_TOPICS)
    if newer_fields and rnd() < 0.5:
        # A field newer Taskerino branches add; not in the Session type.
        a["detectedEntities"] = {
            "topics": g.some(_TOPICS, 1, 3),
            "people": g.some(_PEOPLE, 0, 2),
            "tools": g.some(_APPS, 1, 2),
        }
    return a


def _screenshots(g, sid, n, start_ms, span_ms, newer_fields):
    rnd = g.rnd
    out = []
    step = span_ms / max(n, 1)
    for i in range(n):
        ts = start_ms + int(step * (i + rnd() * 0.8))
        shot_id = "screenshot-%d-%s" % (ts, g.hexid(40))
        shot = {
            "id": shot_id,
            "sessionId": sid,
            "timestamp": _iso(ts),
            "attachmentId": "attachment-" + g.uuid(),
            "hash": g.sha(),
            "aiAnalysis": _ai_analysis(g, newer_fields),
            "analysisStatus": "complete",
        }
        r = rnd()
        if r < 0.05:
            shot["userComment"] = "Remember this: " + g.pick(_INSIGHTS).lower()
        elif r < 0.08:
            shot["flagged"] = True
        elif r < 0.12:
            shot["path"] = "screenshots/%s/%s.jpg" % (sid, shot_id)
        out.append(shot)
    return out


def _segment_text(g, seconds):
    # Speech with pauses: roughly one sentence per 7-12 s.
    n = 1 + int(seconds / (7 + 5 * g.rnd()))
    pool = _SPOKEN
    size = len(pool)
    rnd = g.rnd
    return " ".join([pool[int(rnd() * size)] for _ in range(n)])


def _audio_segments(g, sid, n, start_ms, span_ms, mode):
    rnd = g.rnd
    out = []
    step = span_ms / max(n, 1)
    for i in range(n):
        ts = start_ms + int(step * i)
        dur = round(min(step / 1000.0, 10 + 50 * rnd()), 1)
        text = _segment_text(g, dur)
        seg = {
            "id": "segment-%d-%s" % (ts, g.hexid(32)),
            "sessionId": sid,
            "timestamp": _iso(ts),
            "duration": dur,
            "transcription": text,
            "attachmentId": "attachment-" + g.uuid(),
            "transcriptionQuality": "final" if rnd() < 0.85 else "draft",
            "keyPhrases": g.some(_TOPICS, 0, 3),
            "sentiment": "positive" if rnd() < 0.35 else ("negative" if rnd() < 0.2 else "neutral"),
            "containsTask": rnd() < 0.1,
            "containsBlocker": rnd() < 0.05,
        }
        r = rnd()
        if r < 0.1:
            seg["hash"] = g.sha()
        elif r < 0.15:
            seg["mode"] = mode
            seg["model"] = "whisper-1"
        out.append(seg)
    return out


def _video(g, sid, start_ms, span_ms, shot_ids, seg_ids, n_chunks):
    vid = "video-" + g.uuid()
    duration = round(span_ms / 1000.0, 1)
    chunks = []
    step = duration / max(n_chunks, 1)
    for i in range(n_chunks):
        c0 = round(step * i, 1)
        c1 = round(min(duration, step * (i + 1)), 1)
        chunk = {
            "id": "chunk-%s" % g.uuid(),
            "videoId": vid,
            "sessionId": sid,
            "attachmentId": "attachment-" + g.uuid(),
            "startTime": c0,
            "endTime": c1,
            "topic": g.pick(_VIDEO_TOPICS),
            "description": g.pick(_CHUNK_DESCRIPTIONS),
            "transcriptExcerpt": " ".join(g.some(_SPOKEN, 1, 3)),
            "relatedScreenshotIds": g.some(shot_ids, 0, 4) if shot_ids else [],
            "relatedAudioSegmentIds": g.some(seg_ids, 0, 4) if seg_ids else [],
            "analyzed": g.chance(0.7),
        }
        if chunk["analyzed"]:
            chunk["lastAnalyzedAt"] = _iso(start_ms + span_ms + g.int_between(60_000, 3_600_000))
        chunks.append(chunk)
    chapters = []
    n_chapters = min(n_chunks, g.int_between(2, 6)) if n_chunks else 0
    ch_step = duration / max(n_chapters, 1)
    for i in range(n_chapters):
        chapters.append({
            "id": "chapter-" + g.hexid(48),
            "sessionId": sid,
            "startTime": round(ch_step * i, 1),
            "endTime": round(ch_step * (i + 1), 1),
            "title": g.pick(_VIDEO_TOPICS),
            "summary": g.pick(_NARRATIVE),
            "keyTopics": g.some(_TOPICS, 1, 3),
            "confidence": round(0.6 + 0.39 * g.rnd(), 2),
            "createdAt": _iso(start_ms + span_ms + 120_000),
        })
    video = {
        "id": vid,
        "sessionId": sid,
        "fullVideoAttachmentId": "attachment-" + g.uuid(),
        "path": "videos/%s/full.mp4" % sid,
        "optimizedPath": "videos/%s/optimized.mp4" % sid,
        "hash": g.sha(),
        "duration": duration,
        "chunkingStatus": "complete",
        "processedAt": _iso(start_ms + span_ms + 300_000),
        "chunks": chunks,
        "chapters": chapters,
    }
    return video


def _summary(g, start_ms, end_ms, shot_ids, newer_fields):
    n_areas = g.int_between(2, 5)
    weights = [1 + int(g.rnd() * 9) for _ in range(n_areas)]
    total_w = sum(weights)
    minutes = max(1, (end_ms - start_ms) // 60_000)
    pct = [w * 100 // total_w for w in weights]
    pct[0] += 100 - sum(pct)
    areas = [{
        "area": g.pick(_ACTIVITIES).capitalize(),
        "duration": minutes * p // 100,
        "percentage": p,
    } for p in pct]
    summary = {
        "narrative": " ".join(g.some(_NARRATIVE, 3, 7)),
        "achievements": g.some(_ACHIEVEMENTS, 1, 6),
        "blockers": g.some(_BLOCKERS, 0, 3),
        "recommendedTasks": [{
            "title": g.pick(_ACTIONS),
            "priority": g.pick(("low", "medium", "high", "urgent")),
            "context": g.pick(_INSIGHTS),
            "relatedScreenshotIds": g.some(shot_ids, 0, 3) if shot_ids else [],
        } for _ in range(g.int_between(1, 5))],
        "keyInsights": [{
            "insight": g.pick(_INSIGHTS),
            "timestamp": _iso(start_ms + int(g.rnd() * (end_ms - start_ms))),
            "screenshotIds": g.some(shot_ids, 1, 2) if shot_ids else [],
        } for _ in range(g.int_between(1, 5))],
        "focusAreas": areas,
        "lastUpdated": _iso(end_ms + g.int_between(5_000, 600_000)),
        "screenshotCount": len(shot_ids),
    }
    if g.chance(0.3):
        summary["achievementsEnhanced"] = [{
            "id": "ach-" + g.hexid(32),
            "text": a,
            "timestamp": _iso(start_ms + int(g.rnd() * (end_ms - start_ms))),
            "screenshotIds": g.some(shot_ids, 0, 2) if shot_ids else [],
            "importance": g.int_between(1, 10),
        } for a in summary["achievements"]]
    if newer_fields and g.chance(0.5):
        # Newer-branch field, not in the type.
        summary["suggestedTasks"] = [{
            "title": g.pick(_ACTIONS),
            "priority": g.pick(("low", "medium", "high")),
            "confidence": round(0.5 + 0.5 * g.rnd(), 2),
        } for _ in range(g.int_between(1, 4))]
    return summary


def _audio_insights(g, start_ms, end_ms, transcript):
    span = end_ms - start_ms
    rnd = g.rnd

    def at():
        return _iso(start_ms + int(rnd() * span))

    return {
        "narrative": " ".join(g.some(_NARRATIVE, 2, 5)),
        "emotionalJourney": [{
            "timestamp": at(),
            "emotion": g.pick(_EMOTIONS),
            "description": g.pick(_SPOKEN),
        } for _ in range(g.int_between(2, 6))],
        "keyMoments": [{
            "timestamp": at(),
            "type": g.pick(_KEY_MOMENT_TYPES),
            "description": g.pick(_ACHIEVEMENTS),
            "context": g.pick(_INSIGHTS),
            "excerpt": transcript[:120] if transcript else g.pick(_SPOKEN),
        } for _ in range(g.int_between(1, 5))],
        "workPatterns": {
            "focusLevel": g.pick(("high", "medium", "low")),
            "interruptions": g.int_between(0, 8),
            "flowStates": [{
                "start": at(),
                "end": at(),
                "description": "Focused work on the %s" % g.pick(_TOPICS),
            } for _ in range(g.int_between(0, 3))],
        },
        "environmentalContext": {
            "ambientNoise": g.pick(("quiet", "moderate", "noisy")),
            "workSetting": g.pick(("home office", "office", "cafe", "co-working space")),
            "timeOfDay": g.pick(("morning", "afternoon", "evening", "night")),
        },
        "processedAt": _iso(end_ms + g.int_between(30_000, 900_000)),
        "modelUsed": g.pick(("gpt-4o-audio-preview", "gpt-4o", "claude-sonnet-4-5")),
        "processingDuration": g.int_between(4_000, 90_000),
    }


def _context_items(g, sid, start_ms, span_ms):
    items = []
    for _ in range(g.int_between(0, 6)):
        kind = g.pick(("note", "task", "marker"))
        item = {
            "id": "ctx-" + g.hexid(48),
            "sessionId": sid,
            "timestamp": _iso(start_ms + int(g.rnd() * span_ms)),
            "type": kind,
            "content": g.pick(_ACTIONS) if kind == "task" else g.pick(_INSIGHTS),
        }
        if kind == "task" and g.chance(0.5):
            item["taskId"] = "task-" + g.hexid(48)
        elif kind == "note" and g.chance(0.5):
            item["noteId"] = "note-" + g.hexid(48)
        items.append(item)
    return items


def _enrichment_status(g, end_ms, has_audio, has_video):
    done = end_ms + g.int_between(60_000, 1_800_000)

    def stage(on):
        if not on:
            return {"status": "skipped"}
        return {"status": "completed", "completedAt": _iso(done), "cost": round(0.2 * g.rnd(), 3)}

    return {
        "status": "completed",
        "startedAt": _iso(end_ms + 10_000),
        "completedAt": _iso(done),
        "audio": stage(has_audio),
        "video": stage(has_video),
        "summary": {"status": "completed", "completedAt": _iso(done)},
        "canvas": {"status": "completed" if g.chance(0.6) else "skipped"},
        "totalCost": round(0.5 * g.rnd(), 3),
        "errors": [],
        "warnings": [],
        "canResume": False,
    }


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------

_SIZES = ("realistic", "small")
_TRANSCRIPT_CAP = 60_000


def generate_session(index, seed=0, *, size="realistic"):
    """One legacy (monolithic) Taskerino session as a plain JSON dict.

    Same ``(index, seed, size)`` → identical dict, whatever else was generated before.
    ``size="realistic"``: 20–200 screenshots, 0–600 audio segments, sometimes a video,
    ~200 KB of JSON on average with a long tail. ``size="small"``: ~5–20 KB.
    """
    if size not in _SIZES:
        raise ValueError("size must be one of %r, not %r" % (_SIZES, size))
    index = int(index)
    seed = int(seed)
    g = _Gen("%d:%d" % (seed, index) if size == "realistic" else "%d:%d:%s" % (seed, index, size))
    rnd = g.rnd
    small = size == "small"

    sid = "session-%d-%d-%s" % (seed, index, g.hexid(32))
    kind = g.pick(_SESSION_KINDS)
    topic = g.pick(_TOPICS)
    r = rnd()
    if r < 0.5:
        name = "%s: %s" % (kind, topic)
    elif r < 0.8:
        name = "%s #%d" % (kind, 1 + index % 97)
    else:
        name = "%s – %s %d" % (kind, topic, 1 + int(rnd() * 30))

    # Length in 0..1: most sessions medium, one in ten large (the long tail).
    if rnd() < 0.1:
        length = 0.7 + 0.3 * rnd()
    else:
        length = 0.1 + 0.35 * rnd()
    if small:
        n_shots = 3 + int(5 * length)
    else:
        n_shots = 20 + int(180 * length)
    interval = g.pick((1, 1, 2, 2, 3, -1, 0.5))
    eff = 1.5 if interval == -1 else interval
    span_ms = int(n_shots * eff * 60_000 * (0.8 + 0.4 * rnd()))
    start_ms = _BASE_MS + int(rnd() * 420) * _DAY_MS + int((6 + 14 * rnd()) * 3_600_000)
    end_ms = start_ms + span_ms

    status_r = rnd()
    status = ("completed" if status_r < 0.82 else "interrupted" if status_r < 0.92
              else "paused" if status_r < 0.96 else "active")

    audio_mode = "off"
    audio_recording = rnd() < 0.75
    if audio_recording:
        audio_mode = "transcription" if rnd() < 0.85 else "description"
    newer_fields = rnd() < 0.3

    shots = _screenshots(g, sid, n_shots, start_ms, span_ms, newer_fields)
    shot_ids = [s["id"] for s in shots]

    segs = []
    if audio_recording:
        # How much of the session was spoken; longer sessions have more segments.
        talk = rnd()
        if small:
            n_segs = 2 + int(6 * talk)
        else:
            n_segs = min(600, int((40 + 460 * length) * (0.45 + 0.8 * talk)))
        segs = _audio_segments(g, sid, n_segs, start_ms, span_ms, audio_mode)
    seg_ids = [s["id"] for s in segs]

    session = {
        "id": sid,
        "name": name,
        "description": g.pick(_DESCRIPTIONS),
        "status": status,
        "startTime": _iso(start_ms),
    }
    if status != "active":
        session["endTime"] = _iso(end_ms)
    if shots:
        session["lastScreenshotTime"] = shots[-1]["timestamp"]
    if status == "paused":
        session["pausedAt"] = _iso(end_ms)
    if rnd() < 0.3:
        session["totalPausedTime"] = g.int_between(1, 40) * 60_000
    session.update({
        "screenshotInterval": interval,
        "autoAnalysis": rnd() < 0.9,
        "enableScreenshots": True,
        "audioRecording": audio_recording,
        "audioMode": audio_mode,
    })
    if rnd() < 0.2:
        session["trackingNoteId"] = "note-" + g.hexid(48)
    session["screenshots"] = shots
    if segs:
        session["audioSegments"] = segs
    elif rnd() < 0.3:
        session["audioSegments"] = []

    session["contextItems"] = _context_items(g, sid, start_ms, span_ms)
    session["extractedTaskIds"] = ["task-" + g.hexid(48) for _ in range(g.int_between(0, 6))]
    session["extractedNoteIds"] = ["note-" + g.hexid(48) for _ in range(g.int_between(0, 3))]
    session["audioReviewCompleted"] = bool(segs) and rnd() < 0.6

    transcript = ""
    if segs:
        session["fullAudioAttachmentId"] = "attachment-" + g.uuid()
        parts = []
        total = 0
        cap = 4_000 if small else _TRANSCRIPT_CAP
        for s in segs:
            t = s["transcription"]
            total += len(t) + 1
            if total > cap:
                break
            parts.append(t)
        transcript = " ".join(parts)
        session["fullTranscription"] = transcript
        if session["audioReviewCompleted"] or rnd() < 0.3:
            session["audioInsights"] = _audio_insights(g, start_ms, end_ms, transcript)
        if rnd() < 0.4:
            session["transcriptUpgradeCompleted"] = True
        if rnd() < 0.2:
            session["audioKeyMoments"] = [{
                "id": "moment-" + g.hexid(32),
                "timestamp": g.pick(segs)["timestamp"],
                "type": g.pick(_KEY_MOMENT_TYPES),
                "description": g.pick(_ACHIEVEMENTS),
                "segmentId": g.pick(seg_ids),
            } for _ in range(g.int_between(1, 4))]

    if status != "active" and rnd() < 0.95:
        session["summary"] = _summary(g, start_ms, end_ms, shot_ids, newer_fields)
    if rnd() < 0.15:
        session["canvasSpec"] = {
            "theme": {"primary": "#%06x" % g.bits(24), "mode": g.pick(("light", "dark"))},
            "layout": g.pick(("timeline", "grid", "story")),
            "sections": [{"type": g.pick(("hero", "achievements", "timeline", "insights")),
                          "title": g.pick(_VIDEO_TOPICS)} for _ in range(g.int_between(2, 5))],
            "generatedAt": _iso(end_ms + 600_000),
        }

    cat, subs = g.pick(_CATEGORIES)
    session["tags"] = sorted(set(g.some(_TAGS, 0, 5)))
    session["category"] = cat
    session["subCategory"] = g.pick(subs)
    session["activityType"] = g.pick(_ACTIVITY_TYPES)
    session["totalDuration"] = max(1, span_ms // 60_000)
    if rnd() < 0.25:
        session["companyIds"] = ["company-" + g.hexid(32) for _ in range(g.int_between(1, 2))]
    if rnd() < 0.25:
        session["contactIds"] = ["contact-" + g.hexid(32) for _ in range(g.int_between(1, 3))]

    has_video = rnd() < 0.35
    if has_video:
        n_chunks = max(1, span_ms // (600_000 if small else 150_000))
        if small:
            n_chunks = min(n_chunks, 3)
        session["video"] = _video(g, sid, start_ms, span_ms, shot_ids, seg_ids, int(n_chunks))
        session["videoRecording"] = True
    if status in ("completed", "interrupted") and rnd() < 0.7:
        session["enrichmentStatus"] = _enrichment_status(g, end_ms, bool(segs), has_video)
    if rnd() < 0.5:
        session["version"] = g.int_between(1, 40)
    return session


# The kinds of legacy breakage generate_sessions(broken=k) applies.
BROKEN_KINDS = (
    "missing-tags",
    "string-for-number",
    "missing-screenshots",
    "explicit-nulls",
    "unknown-top-level-field",
)


def broken_positions(n, broken):
    """The indices that ``generate_sessions(n, broken=broken)`` breaks, evenly spread."""
    n = int(n)
    broken = int(broken)
    if broken < 0 or broken > n:
        raise ValueError("broken must be between 0 and n (%d), not %d" % (n, broken))
    return [(2 * j + 1) * n // (2 * broken) for j in range(broken)]


def _break(session, index, seed):
    """Damage a session the way old app versions left them; it stays an object with a string id."""
    g = _Gen("%d:%d:broken" % (seed, index))
    first = int(g.rnd() * len(BROKEN_KINDS))
    kinds = [BROKEN_KINDS[first]]
    if g.chance(0.4):
        kinds.append(BROKEN_KINDS[(first + 1 + int(g.rnd() * (len(BROKEN_KINDS) - 1)))
                                  % len(BROKEN_KINDS)])
    for kind in kinds:
        if kind == "missing-tags":
            session.pop("tags", None)
            if g.chance(0.5):
                session.pop("extractedNoteIds", None)
        elif kind == "string-for-number":
            if "totalDuration" in session:
                session["totalDuration"] = str(session["totalDuration"])
            session["screenshotInterval"] = str(session["screenshotInterval"])
            shots = session.get("screenshots") or []
            if shots and shots[0].get("aiAnalysis"):
                shots[0]["aiAnalysis"]["confidence"] = str(shots[0]["aiAnalysis"]["confidence"])
        elif kind == "missing-screenshots":
            session.pop("screenshots", None)
            session.pop("lastScreenshotTime", None)
        elif kind == "explicit-nulls":
            session["endTime"] = None
            session["category"] = None
            session["summary"] = None
            if g.chance(0.5):
                session["audioSegments"] = None
            shots = session.get("screenshots") or []
            if shots:
                shots[-1]["aiAnalysis"] = None
        elif kind == "unknown-top-level-field":
            session[g.pick(("legacyFormat", "migratedFrom", "pinned", "_syncState"))] = {
                "value": g.pick(("v0", "beta", True, 3)),
                "note": "written by an older app version",
            }
    return session


def generate_sessions(n, seed=0, *, broken=0, size="realistic"):
    """``n`` sessions (indices 0..n-1); ``broken`` of them legacy-broken, at
    ``broken_positions(n, broken)``. Non-broken ones equal ``generate_session(i, seed)``."""
    return list(iter_sessions(n, seed, broken=broken, size=size))


def iter_sessions(n, seed=0, *, broken=0, size="realistic"):
    """The sessions of ``generate_sessions``, each made when it is asked for: taken a slice at a
    time (``fillDemo``), only that slice is held. Same arguments, same sessions, same errors."""
    n = int(n)
    if n < 0:
        raise ValueError("n must be >= 0, not %d" % n)
    return _iter_sessions(n, seed, set(broken_positions(n, broken)), size)


def _iter_sessions(n, seed, positions, size):
    for i in range(n):
        s = generate_session(i, seed, size=size)
        yield _break(s, i, seed) if i in positions else s
