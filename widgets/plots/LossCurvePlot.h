#pragma once

#include "plots/InteractivePlot.h"

#include <QStringList>
#include <QVector>

#include <vector>

// Training loss against step on a log y axis, one curve per instance coloured along the sequential map, each
// decimated to at most kMaxPoints points by min/max buckets (spikes survive), with the legend outside the axes on
// the right. The loss is per instance, not per feature: setSelectedFeature/featureClicked exist for a uniform
// interface but do nothing; setSelectedInstance highlights a curve and a click on a curve emits instanceClicked.
class LossCurvePlot : public InteractivePlot {
    Q_OBJECT
public:
    explicit LossCurvePlot(QWidget* parent = nullptr);

    // loss[k] is instance k's loss at steps 0, s, 2s, ... (s = sampleInterval()); labels[k] its legend label.
    // Non-positive and non-finite values are gaps. Replots.
    void setHistories(const std::vector<std::vector<float>>& loss, const QStringList& labels);
    void clear();
    // Steps between consecutive loss samples (default 1).
    void setSampleInterval(double steps);
    double sampleInterval() const { return m_interval; }

    void setSelectedFeature(int feature); // no visible effect: loss is per instance
    int selectedFeature() const { return m_selected; }
    // -1 clears. The selected curve is drawn thicker and on top, the others faded.
    void setSelectedInstance(int instance);
    int selectedInstance() const { return m_selectedInstance; }

    int curveCount() const { return int(m_curves.size()); }
    QCPGraph* curve(int instance) const;

    // Min/max bucket decimation: at most maxPoints (x = sample index * interval, y) keeping each bucket's minimum
    // and maximum in their original order. Non-positive and non-finite samples are dropped (gaps stay gaps: an
    // all-invalid bucket contributes a NaN so the line breaks).
    static void decimate(const std::vector<float>& values, int maxPoints, double interval, QVector<double>& keys,
                         QVector<double>& out);
    static constexpr int kMaxPoints = 2000;
    // Legend entries shown at most (evenly spaced instances, first and last included).
    static constexpr int kMaxLegendEntries = 12;

    int instanceAt(const QPointF& pos) const;
    QString hoverText(const QPointF& pos) const override;

Q_SIGNALS:
    void featureClicked(int feature);
    void instanceClicked(int instance);
    void backgroundClicked();

protected:
    void plotClicked(const QPointF& pos) override;

private:
    void rebuild();
    void applySelection();
    QColor curveColour(int instance) const;
    // The original sample nearest to a key, NaN if none.
    double valueAt(int instance, double key, double* keyOut) const;

    QCPTextElement* m_title = nullptr;
    std::vector<std::vector<float>> m_loss;
    QStringList m_labels;
    std::vector<QCPGraph*> m_curves;
    double m_interval = 1.0;
    int m_selected = -1;
    int m_selectedInstance = -1;
};
