#pragma once

#include "plots/EdgeReferenceLines.h"
#include "plots/InteractivePlot.h"

#include "geometry/FeatureGeometry.h"
#include "geometry/FeatureMeasures.h"

#include <QStringList>
#include <QVector>

#include <map>
#include <vector>

// Every feature of every instance in one figure, readable for any m and n (the paper's feature-dimensionality
// figure): one strip per instance along x, and in each strip one glyph per feature at height D_i and, across the
// strip, at its norm ||W_i|| (0 at the strip's left edge, the largest norm of the run at its right). The glyph's shape
// and colour name the geometry component the feature belongs to (dedicated, digon, triangle, tetrahedron, square,
// pentagon, square antiprism, other), so features that sit on the same fraction read as one group; dashed
// reference lines mark 1, 3/4, 2/3, 1/2, 2/5, 3/8 and 1/3. Features the model did not learn (||W_i|| < 0.1) are grey
// dots at D = 0. Features drawn on the same spot are listed together in the hover text; a click emits
// featureClicked with the strip's instance. The selected feature is ringed in every strip and joined across them.
class FeatureDimensionalityPlot : public InteractivePlot {
    Q_OBJECT
public:
    explicit FeatureDimensionalityPlot(QWidget* parent = nullptr);

    // measures[k] and geometry[k] of instance k (geometry may be shorter: those instances are drawn as "other"),
    // stripLabels[k] its tick label (e.g. the instance's 1-S). Replots.
    void setInstances(const std::vector<featurescope::FeatureMeasures>& measures,
                      const std::vector<std::vector<featurescope::GeometryComponent>>& geometry,
                      const QStringList& stripLabels);
    void clear();
    // The x axis title under the strips (what the strip labels mean).
    void setStripAxisLabel(const QString& label);

    void setSelectedFeature(int feature);
    int selectedFeature() const { return m_selected; }

    // The glyph groups, one plottable each, by kind name ("dedicated", "digon", ..., "other", "not learned").
    QCPGraph* glyphGraph(const QString& kind) const;
    int pointCount() const { return int(m_points.size()); }
    // Plot coordinates of a feature's glyph in instance k's strip (NaN when absent).
    QPointF glyphCoordinates(int instance, int feature) const;
    QPointF glyphPixel(int instance, int feature) const;
    QCPGraph* selectionGraph() const { return m_selection; }
    static QVector<double> referenceFractions();
    // The kind a component name is drawn as ("6-gon" and "other (k features)" are "other").
    static QString glyphKind(const std::string& componentKind);

    // Features whose glyphs lie within `radius` pixels of pos, nearest first, all in the strip of the nearest one.
    std::vector<int> featuresAt(const QPointF& pos, int* instance = nullptr, double radius = 6.0) const;
    QString hoverText(const QPointF& pos) const override;

    // The plotted data as rows (instance, strip label, feature, norm, D_i, kind), for exports of the data.
    struct Row {
        int instance;
        QString stripLabel;
        int feature;
        double norm;
        double dimensionality;
        QString kind;
    };
    std::vector<Row> rows() const;

Q_SIGNALS:
    void featureClicked(int instance, int feature);
    void backgroundClicked();

protected:
    void plotClicked(const QPointF& pos) override;
    // Sizes the right margin to the reference labels' themed font and spreads labels that would overlap.
    void updateLayout() override;

private:
    struct Point {
        int instance = 0;
        int feature = 0;
        double x = 0;
        double d = 0;
        double norm = 0;
        QString kind;
    };
    void rebuild();
    void applySelection();

    QCPTextElement* m_title = nullptr;
    EdgeReferenceLines m_references;
    std::vector<QCPItemLine*> m_stripSeparators;
    std::map<QString, QCPGraph*> m_glyphs;
    QCPGraph* m_selection = nullptr;
    QCPItemText* m_emptyText = nullptr;
    std::vector<Point> m_points;
    QStringList m_stripLabels;
    double m_normTop = 1.0;
    int m_selected = -1;
};
