#pragma once

#include "plots/QCustomPlotInclude.h"

// The base of the interactive plots: shows hoverText() as a tooltip under the mouse, reports a click (left button
// pressed and released within 5 px, so a drag is not a click) to plotClicked(), and keeps the axis margins fresh
// (FreshAxisMargins). The plots implement what is under a point, not the mouse handling.
class InteractivePlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit InteractivePlot(QWidget* parent = nullptr);

    // The tooltip for a widget position; empty hides it.
    virtual QString hoverText(const QPointF& pos) const = 0;

protected:
    virtual void plotClicked(const QPointF& pos) { Q_UNUSED(pos); }

    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    QPointF m_pressPos;
};
