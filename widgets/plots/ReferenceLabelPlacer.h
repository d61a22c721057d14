#pragma once

#include "plots/QCustomPlotInclude.h"

#include <QObject>
#include <QPointer>
#include <QRectF>
#include <QVector>

// Keeps the labels of a plot's reference lines readable: after every layout each label is moved along its line,
// and to either side of it, to the first place where no curve, marker, other line or other label crosses it and it
// stays inside the axis rect (fixed label positions were crossed by trend lines once the data or size changed). The
// position a caller asked for is tried first.
class ReferenceLabelPlacer : public QObject {
    Q_OBJECT
public:
    explicit ReferenceLabelPlacer(QCustomPlot* plot);

    // `line` is the reference line `label` belongs to; `preferred` is the label's position along it as a fraction of
    // the axis rect (from the left for horizontal lines, from the top for vertical ones) with `alignment`.
    void add(QCPItemText* label, QCPItemLine* line, Qt::Orientation orientation, double preferred,
             Qt::Alignment alignment);
    void clear();
    // Places every label for the current layout (done after each layout by itself).
    void place();

    // Whether `rect` (pixels) touches one of the plot's curve segments or markers; whether it touches `segment`.
    static bool crossesData(const QRectF& rect, const QCustomPlot* plot);
    static bool crossesSegment(const QRectF& rect, const QLineF& segment);

private:
    struct Label {
        QPointer<QCPItemText> text;
        QPointer<QCPItemLine> line;
        Qt::Orientation orientation = Qt::Horizontal;
        double preferred = 0.0;
        Qt::Alignment alignment;
    };
    int conflicts(const Label& label, const QVector<QRectF>& taken) const;

    QCustomPlot* m_plot = nullptr;
    QVector<Label> m_labels;
};
