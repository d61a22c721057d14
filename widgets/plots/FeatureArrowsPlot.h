#pragma once

#include "plots/ArrowPanel.h"
#include "plots/InteractivePlot.h"

#include "geometry/FeatureGeometry.h"
#include "geometry/FeatureMeasures.h"

#include <Eigen/Core>

#include <QStringList>

#include <vector>

// Small multiples of feature directions, one square panel per model instance (e.g. one per sparsity): an arrow from
// the origin to each column W_i of W (m x n). For m == 2 the arrows are W_i itself; for m > 2 they are the columns
// projected on the two leading principal axes of W Wᵀ (uncentred PCA, so the origin stays the origin); for m == 1
// the features are dots on a line. Every panel shares one symmetric range so lengths compare across instances, shows
// a faint unit circle, feature indices at the tips (n <= 20), and the geometry of the instance (e.g. "pentagon",
// "2 digons") in the first corner (top-left, top-right, bottom-left) where it hides no tip or label. Features with ||W_i|| < 0.1 are small grey dots. Hover shows the numbers,
// a click on an arrow emits featureClicked.
class FeatureArrowsPlot : public InteractivePlot {
    Q_OBJECT
public:
    explicit FeatureArrowsPlot(QWidget* parent = nullptr);

    // W[k] is instance k's m x n weight matrix, titles[k] its panel title (missing titles read "instance k"),
    // geometry[k] its components from featurescope::findFeatureGeometry (may be empty). Non-finite weights are
    // drawn as 0. `measures`, when given with one entry per instance (computed off the GUI thread, e.g. by
    // ToyTrainingResult::analyse), saves recomputing them here. Replots.
    void setInstances(const std::vector<Eigen::MatrixXf>& W, const QStringList& titles,
                      const std::vector<std::vector<featurescope::GeometryComponent>>& geometry,
                      const std::vector<featurescope::FeatureMeasures>* measures = nullptr);
    void clear();

    // For m > 2: which plane the arrows are drawn in. -1 (the default) is the two leading principal axes of W Wᵀ;
    // otherwise hidden dimensions `first` and `second` (0-based) directly, which shows what a privileged basis does.
    // Takes effect at the next setInstances().
    void setProjectionDimensions(int first, int second);
    int projectionFirst() const { return m_projectFirst; }
    int projectionSecond() const { return m_projectSecond; }
    // True when a model with m hidden dimensions is drawn in the chosen dimensions rather than the principal axes.
    bool usesHiddenDimensions(int m) const;

    // -1 clears the selection. The selected feature is drawn thicker and on top in every panel, the others faded.
    void setSelectedFeature(int feature);
    int selectedFeature() const { return m_selected; }

    int instanceCount() const { return int(m_instances.size()); }
    int columnCount() const { return m_columns; }
    bool isProjected() const { return m_projected; }
    double axisLimit() const { return m_limit; }
    QCPAxisRect* instanceRect(int instance) const;
    QString geometryLabel(int instance) const;
    // Drawn position of feature i's tip in plot coordinates of its panel (projected if m > 2); NaN if out of range.
    QPointF tipCoordinates(int instance, int feature) const;
    // The same in widget pixels, valid after a replot.
    QPointF tipPixel(int instance, int feature) const;
    bool isDropped(int instance, int feature) const;
    // The arrow (nullptr for dropped features or m == 1) and the tip marker of a feature, for inspection.
    QCPItemLine* arrowItem(int instance, int feature) const;
    // The index label of a feature (nullptr when n > 20); overlapping labels are merged into one that lists them.
    QCPItemText* labelItem(int instance, int feature) const;

    // Feature under a widget position (arrow shaft, tip or dot within a few pixels), -1 if none.
    int featureAt(const QPointF& pos, int* instance = nullptr) const;
    QString hoverText(const QPointF& pos) const override;
    // The smallest figure whose panels (240 px square) hold their notes and labels clear of the arrows: an
    // export lays the figure out at least this large and scales it onto the page. Layouts use minimumSize().
    QSize minimumSizeHint() const override;

    static constexpr float kDroppedNorm = ArrowPanel::kDroppedNorm;

Q_SIGNALS:
    void featureClicked(int feature);
    void backgroundClicked();

protected:
    void updateLayout() override;
    void plotClicked(const QPointF& pos) override;

private:
    // Live training sends new weights many times a second: when only positions and labels changed, move the
    // existing items instead of rebuilding thousands of them.
    bool updateInPlace(std::vector<ArrowPanel>& fresh, double limit);

    void rebuild();
    void applySelection();
    int chooseColumns(const QSize& size) const;
    void arrangeGrid(int columns);

    std::vector<ArrowPanel> m_instances;
    QCPLayoutGrid* m_grid = nullptr;
    int m_columns = 0;
    bool m_arranged = false;
    int m_selected = -1;
    bool m_projected = false;
    int m_projectFirst = -1; // -1: principal axes
    int m_projectSecond = -1;
    bool m_projectionChanged = false;
    int m_projectedFrom = 0;
    bool m_lineMode = false;
    double m_limit = 1.3;
};
