#pragma once

#include "plots/QCustomPlotInclude.h"

#include <vector>

// Dashed horizontal reference lines across a plot's axis rect (e.g. the sticky fractions 1, 3/4, 2/3, ...), each
// labelled just outside the rect's right edge, where no data can cross the label. The plot keeps a right margin of
// margin() pixels for the labels: call it in updateLayout(), as the theme changes the labels' font.
class EdgeReferenceLines {
public:
    // Adds a line at y = value and its label (vertical alignment `vertical` against the line), in `font`.
    QCPItemText* add(QCustomPlot* plot, double value, const QString& label, const QFont& font,
                     Qt::Alignment vertical = Qt::AlignVCenter);
    const std::vector<QCPItemText*>& labels() const { return m_labels; }
    // The widest label, its padding and 8 px of air.
    int margin() const;
    // Sets the axis rect's right margin to margin() (the other margins stay automatic); true when it changed.
    bool applyMargin(QCPAxisRect* rect) const;

private:
    std::vector<QCPItemText*> m_labels;
};
