#pragma once

#include "plots/QCustomPlotInclude.h"

// The base of the interactive plots: shows hoverText() as a tooltip under the mouse, reports a click (left button
// pressed and released within 5 px, so a drag is not a click) to plotClicked(), and keeps the axis margins fresh
// (FreshAxisMargins). The plots implement what is under a point, not the mouse handling. It also holds what every
// plot constructor shares: a white background, antialiasing, mouse tracking, a title row, a legend below or beside
// the axes, and the fonts by role (the theme scales them all alike when it restyles a plot).
class InteractivePlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit InteractivePlot(QWidget* parent = nullptr);

    // The tooltip for a widget position; empty hides it.
    virtual QString hoverText(const QPointF& pos) const = 0;

protected:
    // Fonts by role (point sizes at the default theme: text 10, labels 11, titles 12 bold).
    static QFont textFont();  // tick labels, legends, notes on the data
    static QFont labelFont(); // axis labels and headers
    static QFont titleFont();

    // Inserts a row above the axes holding a title in titleFont().
    QCPTextElement* addTitle(const QString& text = QString());
    // Grey text in the middle of the axes, in labelFont(): what an empty plot says instead of data.
    QCPItemText* addEmptyText(const QString& text);
    // Moves the legend out of the axis rect into a row under the axes (the title row, if any, stays on top), centred
    // between two stretchable spacers: an element of the main column must not cap its width, and a legend's maximum
    // width is its content's. Fills columns first; textFont(), no frame, no background.
    void legendBelow();
    // Moves the legend to the top of its own column right of the axes (a spacer row under it keeps it compact), so it
    // never covers a curve. textFont(), no frame, no background.
    void legendBeside();

    virtual void plotClicked(const QPointF& pos) { Q_UNUSED(pos); }

    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    QPointF m_pressPos;
};
