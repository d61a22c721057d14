#pragma once

#include "geometry/FeatureMeasures.h"

#include "plots/InteractivePlot.h"

#include <Eigen/Core>

#include <QStringList>

#include <vector>

// The "Toy Models of Superposition" signature figure: one panel per instance side by side, a horizontal bar of
// ||W_i|| per feature (feature 0 at the top), coloured by featurescope::superpositionColourValue through the
// sequential map (dark = a dedicated dimension, bright = in superposition), on a shared x range
// [0, max(1.1, largest norm)], with the instance title above each panel and a "superposition" colour scale.
// Hover shows the numbers; a click on a feature's row emits featureClicked and barClicked (which names the panel).
class NormBarsPlot : public InteractivePlot {
    Q_OBJECT
public:
    explicit NormBarsPlot(QWidget* parent = nullptr);

    // W[k] is instance k's m x n weight matrix; titles[k] its title (missing titles read "instance k"). Non-finite
    // weights count as 0. `measures`, when given with one entry per instance (computed off the GUI thread), saves
    // recomputing them here. Replots.
    void setInstances(const std::vector<Eigen::MatrixXf>& W, const QStringList& titles,
                      const std::vector<featurescope::FeatureMeasures>* measures = nullptr);
    void clear();

    // -1 clears. The selected feature's row is shaded and its bar outlined in every panel.
    void setSelectedFeature(int feature);
    int selectedFeature() const { return m_selected; }

    int instanceCount() const { return int(m_instances.size()); }
    // Column k's title as drawn (wrapped or shortened to fit its column).
    QString shownColumnTitle(int k) const;
    QCPAxisRect* instanceRect(int instance) const;
    QCPColorScale* colorScale() const { return m_scale; }
    double normRangeUpper() const { return m_upper; }
    // ||W_i|| and the colour value in [0, 1] of a bar (NaN when out of range).
    double norm(int instance, int feature) const;
    double colourValue(int instance, int feature) const;
    // Centre of a bar in widget pixels (valid after a replot); for a zero-length bar, its row at x = 0.
    QPointF barPixel(int instance, int feature) const;
    // The outline drawn around the selected bar of an instance (hidden when nothing is selected).
    QCPItemRect* selectionOutline(int instance) const;

    int featureAt(const QPointF& pos, int* instance = nullptr) const;
    QString hoverText(const QPointF& pos) const override;
    // The smallest figure whose column titles fit on their columns, unelided, beside the feature axis and the colour
    // bar: an export lays the figure out at least this large and scales it onto the page. Layouts use minimumSize().
    QSize minimumSizeHint() const override;

    // Colour levels per panel (bars are grouped by quantised colour, one plottable per level).
    static constexpr int kColourLevels = 48;

Q_SIGNALS:
    void featureClicked(int feature);
    // The same click with the instance whose panel it hit: a caller that shows one instance's numbers follows it.
    void barClicked(int instance, int feature);
    void backgroundClicked();

protected:
    void updateLayout() override;
    void fitColumnTitles();
    void plotClicked(const QPointF& pos) override;

private:
    struct Instance {
        QString title;
        QString fittedTitle; // the title as fitted to its column (on two lines or elided when narrow)
        int n = 0;
        Eigen::VectorXf norms;
        Eigen::VectorXf superposition;
        Eigen::VectorXf dimensionality;
        Eigen::VectorXf colour;
        QCPTextElement* titleElement = nullptr;
        QCPAxisRect* rect = nullptr;
        QCPItemRect* band = nullptr;
        QCPItemRect* outline = nullptr;
    };

    void rebuild();
    void applySelection();

    std::vector<Instance> m_instances;
    QCPColorScale* m_scale = nullptr;
    QCPLayoutGrid* m_grid = nullptr;
    QCPMarginGroup* m_group = nullptr;
    int m_maxFeatures = 0;
    double m_upper = 1.1;
    int m_selected = -1;
};
