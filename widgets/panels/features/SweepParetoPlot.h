#pragma once

#include "experiments/SaeSweep.h"
#include "plots/InteractivePlot.h"

#include <QString>

#include <string>
#include <vector>

// The sweep view's figure: L0 (mean active latents per input, log axis) against a reconstruction or recovery metric,
// one series per recipe, one point per value of its sparsity parameter, each the mean over its seeds with error bars
// of one standard deviation in both directions, labelled with its value. Filled markers lie on the recipe's L0-MSE Pareto front, open ones are
// beaten by another of its points. Hover names the recipe, the parameter value and the numbers.
class SweepParetoPlot : public InteractivePlot {
    Q_OBJECT
public:
    // The metrics the y axis can show: key in SaeSweep::metricKeys() (or "fvu", 1 − explained variance), axis label,
    // and whether a log axis suits it.
    struct Metric {
        std::string key;
        QString label;
        QString shortName; // in the title: "L0 against <shortName>"
        bool log;
    };
    static const std::vector<Metric>& metrics();

    explicit SweepParetoPlot(QWidget* parent = nullptr);

    void setSeries(const std::vector<featurescope::SaeSweepSeries>& series);
    void setMetric(const std::string& key); // one of metrics(); redraws
    std::string metric() const { return m_metric; }
    void clear(const QString& emptyText);

    int seriesCount() const { return int(m_graphs.size()); }
    int pointCount(int series) const;
    // The error bars drawn (two per series: L0 and the metric), for tests.
    int errorBarCount() const { return int(m_errorBars.size()); }
    QCPErrorBars* errorBars(int i) const { return m_errorBars[std::size_t(i)]; }
    QCPGraph* graph(int series) const { return m_graphs[std::size_t(series)]; }
    const std::vector<QCPItemText*>& pointLabels() const { return m_labels; }
    QString hoverText(const QPointF& pos) const override;

private:
    void redraw();
    double valueOf(const featurescope::SaeSweepPoint& p, double* spread) const;

    std::vector<featurescope::SaeSweepSeries> m_series;
    std::vector<QCPGraph*> m_graphs;
    std::vector<QCPGraph*> m_fronts; // filled markers of the Pareto points, drawn over the series
    std::vector<QCPErrorBars*> m_errorBars;
    std::vector<QCPItemText*> m_labels; // the parameter value beside each point
    QCPTextElement* m_title = nullptr;
    QString m_titleBase;
    QCPItemText* m_empty = nullptr;
    std::string m_metric = "mse";
};
