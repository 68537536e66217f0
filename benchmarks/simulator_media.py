"""How long the simulator takes to render a job's output: an image and a video.

Wall-clock figures depend on the machine and its load, so they are measured here
rather than asserted in the tests. Prints the best and median of N runs of each
render beside its goal (a 1024x1024 image under 1 s, a 5-second 1920x1080 video,
scaled to 640x360, under 2 s: a demo job must never wait on its own output).

    .venv/bin/python benchmarks/simulator_media.py [--runs 5]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from krea_integration.simulator.media import render_image, render_video

RENDERS = {
    "image 1024x1024 PNG": (
        lambda: render_image("speed", seed=None, width=1024, height=1024),
        1.0,
    ),
    "video 5 s 1920x1080 (640x360) MP4": (
        lambda: render_video("speed", seed=1, width=1920, height=1080, duration_s=5),
        2.0,
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for name, (render, goal) in RENDERS.items():
        seconds = []
        for _ in range(args.runs):
            started = time.perf_counter()
            render()
            seconds.append(time.perf_counter() - started)
        best, median = min(seconds), statistics.median(seconds)
        verdict = "meets" if median < goal else "MISSES"
        print(
            f"{name:36} best {best:.3f} s, median {median:.3f} s over {args.runs} runs"
            f"  (goal under {goal:.1f} s: {verdict})"
        )


if __name__ == "__main__":
    main()
