#!/usr/bin/env python3
"""Redraws a featurescope figure with matplotlib from the data written beside this script.

Usage: python3 THIS_SCRIPT.py [OUT.png|.pdf|.svg]   (default: <name>_matplotlib.png next to this script)
Data: <name>.csv (columns plot, axes, series, style, color, x, y) and, for colour maps, <name>.npz.
"""
import csv
import math
import os
import sys
from collections import OrderedDict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap

TITLE = @TITLE@
HEADINGS = @HEADINGS@
NAME = @NAME@
HERE = os.path.dirname(os.path.abspath(__file__))

# One entry per drawn axes: (plot, axes) -> the horizontal ("x") and vertical ("y") axis as featurescope drew them.
AXES = {
@AXES@
}
# Colour maps: their cells are in NAME.npz (rows = vertical cells), spanning x and y (in log10 units over log axes
# when log_units), coloured by the listed colours over range.
MAPS = [
@MAPS@
]

series = OrderedDict()
with open(os.path.join(HERE, NAME + ".csv"), newline="") as f:
    for row in csv.DictReader(f):
        key = (int(row["plot"]), int(row["axes"]), row["series"])
        s = series.setdefault(key, {"style": row["style"], "color": row["color"], "x": [], "y": []})
        s["x"].append(float(row["x"]))
        s["y"].append(float(row["y"]))

used = sorted(set(AXES) & ({(p, a) for (p, a, _) in series} | {m["axes"] for m in MAPS})) or sorted(AXES)
cols = min(4, len(used))
rows = (len(used) + cols - 1) // cols
fig, grid = plt.subplots(rows, cols, figsize=(min(16, 4.5 * cols + 1.5), 3.8 * rows + 0.6), squeeze=False)
where = {key: grid[i // cols][i % cols] for i, key in enumerate(used)}
for ax in list(grid.flat)[len(used):]:
    ax.set_visible(False)

if MAPS:
    import numpy as np

    arrays = np.load(os.path.join(HERE, NAME + ".npz"))
    for m in MAPS:
        if m["axes"] not in where:
            continue
        cells = np.ma.masked_invalid(arrays[m["array"]])
        ny, nx = cells.shape
        xs = np.linspace(m["x"][0], m["x"][1], nx)
        ys = np.linspace(m["y"][0], m["y"][1], ny)
        # Cell edges half a step beyond the centres, as QCustomPlot draws them.
        dx = (xs[1] - xs[0]) / 2 if nx > 1 else 0.5
        dy = (ys[1] - ys[0]) / 2 if ny > 1 else 0.5
        xe = np.append(xs - dx, xs[-1] + dx)
        ye = np.append(ys - dy, ys[-1] + dy)
        if m["log_units"]:
            xe, ye = 10.0 ** xe, 10.0 ** ye
        where[m["axes"]].pcolormesh(xe, ye, cells, cmap=ListedColormap(m["colors"]), vmin=m["range"][0],
                                    vmax=m["range"][1], shading="flat")

for (p, a, name), s in series.items():
    if (p, a) not in where:
        continue
    ax = where[(p, a)]
    label = None if name.startswith(("series ", "level ")) else name  # unnamed or colour-level series
    if s["style"] == "bar":
        ax.bar(s["x"], s["y"], color=s["color"], label=label)
    elif s["style"] == "barh":
        ax.barh(s["y"], s["x"], color=s["color"], label=label)
    elif s["style"] == "scatter":
        ax.scatter(s["x"], s["y"], s=14, color=s["color"], label=label)
    else:
        ax.plot(s["x"], s["y"], color=s["color"], label=label)

for key, ax in where.items():
    meta = AXES[key]
    for axis, set_label, set_scale, set_lim, set_ticks in (
        (meta["x"], ax.set_xlabel, ax.set_xscale, ax.set_xlim, ax.set_xticks),
        (meta["y"], ax.set_ylabel, ax.set_yscale, ax.set_ylim, ax.set_yticks),
    ):
        set_label(axis["label"])
        if axis["log"]:
            set_scale("log")
        lo, hi = axis["lim"]
        if math.isfinite(lo) and math.isfinite(hi) and lo != hi:
            set_lim(lo, hi)
        if axis["ticks"]:
            set_ticks([t for t, _ in axis["ticks"]], [label for _, label in axis["ticks"]])
    labelled = [h for h in ax.get_legend_handles_labels()[1] if h]
    if 0 < len(labelled) <= 10:
        ax.legend(fontsize="small")

fig.suptitle(TITLE)
fig.tight_layout()
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, NAME + "_matplotlib.png")
fig.savefig(out, dpi=150, bbox_inches="tight")
print("wrote", out)
