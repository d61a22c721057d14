#pragma once

#include "plots/QCustomPlotInclude.h"

#include <QPointer>
#include <QStringList>
#include <QVector>

class ReferenceLabelPlacer;

// A QCustomPlot for slide figures on logarithmic axes: a title row, readable fonts, series whose points name
// themselves in a hover tooltip, labelled horizontal/vertical reference lines, and a legend in its own row under
// the axes so it never covers data. Reusable by any panel; it holds no science.
class LogScatterPlot : public QCustomPlot {
    Q_OBJECT
public:
    enum class Scale { Linear, Log10, Log2 };

    explicit LogScatterPlot(QWidget* parent = nullptr);

    void setTitle(const QString& title);
    QString title() const;
    void setAxes(const QString& xLabel, Scale xScale, const QString& yLabel, Scale yScale);
    // Tick labels as 10^n (true, default for log axes) or as plain numbers.
    void setPowerTickLabels(QCPAxis* axis, bool powers);
    void setLegendColumns(int columns);

    // Removes every series, reference line, label and hover text (axes, title and fonts stay).
    void clearContent();

    // Points (and optionally the line through them) whose hover text is labels[i]; an empty list means no hover.
    QCPGraph* addSeries(const QString& name, const QVector<double>& x, const QVector<double>& y,
                        const QStringList& hoverLabels, const QPen& pen, const QCPScatterStyle& scatter,
                        bool connect = false, bool inLegend = true);
    QCPGraph* addCurve(const QString& name, const QVector<double>& x, const QVector<double>& y, const QPen& pen,
                       bool inLegend = true);
    // A line across the axis rect at y (or x) with a label drawn beside it at `labelPosition` (0..1 of the axis
    // rect: from the left for horizontal lines, from the top for vertical ones) when nothing crosses it there, else
    // where nothing does (ReferenceLabelPlacer). Reference values count when the ranges are fitted.
    void addHorizontalReference(double y, const QString& label, const QPen& pen, double labelPosition = 0.01,
                                Qt::Alignment labelAlignment = Qt::AlignLeft | Qt::AlignBottom);
    void addVerticalReference(double x, const QString& label, const QPen& pen, double labelPosition = 0.02);
    // Free text at plot coordinates.
    QCPItemText* addLabel(double x, double y, const QString& text, const QColor& color,
                          Qt::Alignment alignment = Qt::AlignLeft | Qt::AlignBottom);

    // Fits both ranges to the data and references; log axes get `logPadding` decades of room on each side.
    void fitRanges(double logPadding = 0.3, double linearPadding = 0.05);

    // The hover text for a point within `radius` pixels of `pos` (widget coordinates), empty when none.
    QString hoverTextAt(const QPointF& pos, double radius = 10.0) const;
    int seriesWithData() const;

    QFont baseFont() const { return m_baseFont; }

private:
    void onMouseMove(QMouseEvent* event);
    void configureAxis(QCPAxis* axis, const QString& label, Scale scale);

    struct HoverSeries {
        QPointer<QCPGraph> graph;
        QStringList labels;
    };
    QVector<HoverSeries> m_hover;
    QVector<double> m_referenceX;
    QVector<double> m_referenceY;
    QCPTextElement* m_title = nullptr;
    QCPLayoutGrid* m_legendRow = nullptr;
    ReferenceLabelPlacer* m_labelPlacer = nullptr;
    QFont m_baseFont;
};
