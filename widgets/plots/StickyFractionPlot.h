#pragma once

#include "plots/EdgeReferenceLines.h"
#include "plots/InteractivePlot.h"

#include <QVector>

#include <vector>

// The sticky-fraction plot of "Toy Models of Superposition": dimensions per feature D* = m / ||W||_F^2 against
// 1/(1-S) on a log axis (one point per instance, joined), each instance's per-feature dimensionalities D_i as small
// semi-transparent dots with a deterministic horizontal jitter, and dashed reference lines at 1, 3/4, 2/3, 1/2, 2/5
// and 3/8 labelled at the right edge. Hover shows the numbers; a click on a dot emits featureClicked.
class StickyFractionPlot : public InteractivePlot {
    Q_OBJECT
public:
    explicit StickyFractionPlot(QWidget* parent = nullptr);

    // One entry per instance in each vector. Points with a non-positive or non-finite 1/(1-S) are skipped, as are
    // non-finite D values. Replots.
    void setData(const std::vector<double>& inverseDensity /* 1/(1-S) per instance */,
                 const std::vector<double>& dimensionsPerFeature /* D* per instance */,
                 const std::vector<std::vector<float>>& featureDimensionality /* D_i of learned features */);
    // Optional: the feature index of each D_i (same shape as featureDimensionality); without it, dot j of an
    // instance is feature j. Call before or after setData.
    void setFeatureIndices(const std::vector<std::vector<int>>& features);
    void clear();

    // -1 clears. The selected feature's dots are drawn large and opaque in its palette colour.
    void setSelectedFeature(int feature);
    int selectedFeature() const { return m_selected; }

    QCPGraph* dimensionsGraph() const { return m_dimensions; }
    QCPGraph* dotsGraph() const { return m_dots; }
    QCPGraph* selectedDotsGraph() const { return m_selectedDots; }
    int dotCount() const { return int(m_dotData.size()); }
    // Widget pixel of dot j of an instance (NaN if it was skipped), valid after a replot.
    QPointF dotPixel(int instance, int index) const;
    // The reference fractions drawn, in order.
    static QVector<double> referenceFractions();

    int featureAt(const QPointF& pos) const;
    QString hoverText(const QPointF& pos) const override;

Q_SIGNALS:
    void featureClicked(int feature);
    void backgroundClicked();

protected:
    void plotClicked(const QPointF& pos) override;
    // Sizes the right margin to the reference labels' current (themed) font before every layout, on screen and
    // in exports (toPainter/savePdf lay out without replotting).
    void updateLayout() override;

private:
    struct Dot {
        int instance = 0;
        int index = 0;
        int feature = 0;
        double x = 0;  // jittered
        double x0 = 0; // the instance's 1/(1-S)
        double d = 0;
    };
    void rebuildDots();
    void applySelection();
    int nearestDot(const QPointF& pos, double radius) const;

    QCPTextElement* m_title = nullptr;
    EdgeReferenceLines m_references;
    QCPGraph* m_dimensions = nullptr;
    QCPGraph* m_dots = nullptr;
    QCPGraph* m_selectedDots = nullptr;
    std::vector<double> m_inverseDensity;
    std::vector<double> m_dimensionsPerFeature;
    std::vector<std::vector<float>> m_featureDimensionality;
    std::vector<std::vector<int>> m_featureIndices;
    std::vector<Dot> m_dotData;
    int m_selected = -1;
};
