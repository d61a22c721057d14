#pragma once

#include "plots/InteractivePlot.h"

#include <Eigen/Core>

#include <vector>

// For the ReLU-hidden model (privileged basis): W is m x n, one group per hidden neuron on the x axis, each
// feature's weight W(neuron, feature) as a stacked bar segment in the feature's palette colour, positive weights
// stacked upward from 0 and negative ones downward. A feature legend is shown for n <= 12. Hover shows the weight;
// a click on a segment emits featureClicked.
class NeuronBarsPlot : public InteractivePlot {
    Q_OBJECT
public:
    explicit NeuronBarsPlot(QWidget* parent = nullptr);

    // Non-finite weights are drawn as 0. Replots.
    void setWeights(const Eigen::MatrixXf& W);
    void clear();
    void setTitle(const QString& title);

    // -1 clears. The selected feature's segments are outlined and the others faded.
    void setSelectedFeature(int feature);
    int selectedFeature() const { return m_selected; }

    int neuronCount() const { return int(m_weights.rows()); }
    int featureCount() const { return int(m_weights.cols()); }
    QCPBars* featureBars(int feature) const;
    // Extent [base, top] in weight units of a feature's segment on a neuron (top < base for negative weights).
    QCPRange segment(int neuron, int feature) const;
    // Centre of that segment in widget pixels (valid after a replot).
    QPointF segmentPixel(int neuron, int feature) const;

    int featureAt(const QPointF& pos, int* neuron = nullptr) const;
    QString hoverText(const QPointF& pos) const override;

    static constexpr int kMaxLegendFeatures = 12;
    static constexpr double kBarWidth = 0.7;

Q_SIGNALS:
    void featureClicked(int feature);
    void backgroundClicked();

protected:
    void plotClicked(const QPointF& pos) override;

private:
    void applySelection();

    QCPTextElement* m_title = nullptr;
    Eigen::MatrixXf m_weights;   // m x n, finite
    Eigen::MatrixXd m_base;      // m x n: where each segment starts (stacked per sign)
    std::vector<QCPBars*> m_bars;
    int m_selected = -1;
};
