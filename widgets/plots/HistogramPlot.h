#pragma once

#include "plots/InteractivePlot.h"

#include <QColor>
#include <QString>

#include <vector>

// Histograms for slides: one or more series over the same bins, each drawn as a step outline with a translucent
// fill (so overlaid distributions stay readable), a title row, an optional note in the top-right corner of the axes
// and an optional labelled vertical marker (e.g. the selected feature). Hover names the bin and every series'
// count; a click emits binClicked. Holds no science: callers bin with binEdges()/countValues() or bring counts.
class HistogramPlot : public InteractivePlot {
    Q_OBJECT
public:
    struct Series {
        QString name;
        QColor colour;
        std::vector<double> counts; // one per bin
    };

    explicit HistogramPlot(QWidget* parent = nullptr);

    void setTitle(const QString& title);
    QString title() const;
    void setAxisLabels(const QString& xLabel, const QString& yLabel);
    // Integer-valued counts get integer tick steps on the y axis (default true; false for fractions).
    void setIntegerCounts(bool integer) { m_integerCounts = integer; }

    // `edges` has one more entry than every series' counts. A series with mismatching counts is skipped. Replots.
    void setHistogram(const std::vector<double>& edges, const std::vector<Series>& series);
    void clear();
    // A vertical line at x with a label at its top; NaN hides it. Replots.
    void setMarker(double x, const QString& label = QString());
    double markerPosition() const { return m_markerX; }
    // Shaded ranges of x behind the bars with a label at their foot (density bands: ultra-rare, dense). Up to
    // kMaxBands; a band with from >= to is hidden. Replots.
    struct Band {
        double from = 0.0;
        double to = 0.0;
        QString label;
        QColor colour;
    };
    static constexpr int kMaxBands = 2;
    void setBands(const std::vector<Band>& bands);
    const std::vector<Band>& bands() const { return m_bands; }
    int visibleBands() const;
    // Grey text in the top-right corner of the axes (empty hides it). Replots.
    void setNote(const QString& note);
    QString note() const;
    // Grey text in the middle of the axes when there is no data (e.g. why).
    void setEmptyText(const QString& text);

    int seriesCount() const { return int(m_series.size()); }
    int binCount() const { return m_edges.empty() ? 0 : int(m_edges.size()) - 1; }
    const std::vector<double>& edges() const { return m_edges; }
    const Series& series(int k) const { return m_series[std::size_t(k)]; }
    double total(int k) const;
    bool hasData() const; // at least one series with a non-zero count

    int binAt(const QPointF& pos) const; // -1 outside the bins
    QString hoverText(const QPointF& pos) const override;

    // `bins` equal bins over [low, high].
    static std::vector<double> binEdges(double low, double high, int bins);
    // Counts of values per bin; values outside go to the first/last bin when `clampOutside`, else are dropped;
    // non-finite values are dropped. `normalise` divides by the number of counted values (fractions).
    static std::vector<double> countValues(const std::vector<double>& values, const std::vector<double>& edges,
                                           bool normalise = false, bool clampOutside = true);

Q_SIGNALS:
    void binClicked(int bin, double x);

protected:
    void plotClicked(const QPointF& pos) override;

private:
    void rebuild();

    QCPTextElement* m_title = nullptr;
    QCPItemText* m_note = nullptr;
    QCPItemText* m_empty = nullptr;
    QCPItemStraightLine* m_marker = nullptr;
    QCPItemText* m_markerLabel = nullptr;
    std::vector<QCPItemRect*> m_bandRects;  // kMaxBands, made up front so the theme styles them like every item
    std::vector<QCPItemText*> m_bandLabels;
    std::vector<Band> m_bands;
    std::vector<double> m_edges;
    std::vector<Series> m_series;
    double m_markerX;
    bool m_integerCounts = true;
};
