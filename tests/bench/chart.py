"""The benchmarks' small hand-written SVG line charts: a frame, and lines with a legend."""
from __future__ import annotations

from collections.abc import Callable


def svg_frame(width: int, height: int, title: str) -> list[str]:
    """The opening tags: the canvas, a white background and the title."""
    return [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
            f'<rect width="{width}" height="{height}" fill="white"/>',
            f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="14">{title}</text>']


def line_with_legend(points: list[dict], xy: Callable[[dict], tuple[float, float]], color: str, name: str,
                     row: int, left: int, top: int, dash: str = "") -> list[str]:
    """One series: its polyline and dots at xy(point), and its legend entry in `row`."""
    style = f' stroke-dasharray="{dash}"' if dash else ""
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in map(xy, points))
    out = [f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"{style}/>']
    out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>' for x, y in map(xy, points)]
    ly = top + 10 + 16 * row
    out.append(f'<line x1="{left + 12}" x2="{left + 32}" y1="{ly}" y2="{ly}" stroke="{color}" stroke-width="2"{style}/>')
    out.append(f'<text x="{left + 38}" y="{ly + 4}">{name}</text>')
    return out
