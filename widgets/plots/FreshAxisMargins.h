#pragma once

class QCustomPlot;

// QCustomPlot 2.1 caches each axis' margin and recomputes it only when the tick-label strings change, so a margin
// measured in some earlier state (another range, an unsized widget) can outlive it: a restored session drew its loss
// plot 12 px narrower than the live one with identical axes. This makes every replot measure the margins afresh
// (a handful of text measurements, microseconds), so a figure depends only on what it shows, not on its history.
class FreshAxisMargins {
public:
    // Clears the margins before every replot of `plot`.
    static void install(QCustomPlot* plot);
    // Clears them now: for drawing paths that skip replot (toPainter, savePdf).
    static void invalidate(QCustomPlot* plot);
};
