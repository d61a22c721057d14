#pragma once

#include "plots/QCustomPlotInclude.h"

#include <Eigen/Core>

#include <QString>

#include <vector>

// One small multiple of FeatureArrowsPlot: a model instance's feature directions in a square axis rect of its own,
// with its title, guides (cross hair and unit circle, or unit ticks when m == 1), arrows or dots, index labels and
// geometry note. The owning plot computes the drawn positions and measures and lays the panels out; a panel makes
// and updates its own items. `limit` is the symmetric axis range all panels share.
struct ArrowPanel {
    static constexpr float kDroppedNorm = 0.1f; // shorter columns are drawn as small grey dots ("not learned")
    // Above this many features, shafts and dots are two plottables instead of one item each: thousands of items make
    // every live update and replot take seconds.
    static constexpr int kBulkFeatures = 60;

    QString title;
    int m = 0;
    int n = 0;
    Eigen::MatrixXf position;          // 2 x n drawn coordinates
    Eigen::VectorXf norms;             // ||W_i|| (full, not projected)
    Eigen::VectorXf dimensionality;
    Eigen::VectorXf superposition;
    std::vector<QString> componentOf;  // geometry kind of each feature ("" if unknown)
    // Index labels that would overlap are merged: each feature's group lead (the longest arrow of the group, which
    // carries "3,7,12"), -1 for features without a label. Recomputed whenever positions change.
    std::vector<int> labelLead;
    std::vector<QString> labelText;
    QString geometryLabel;

    QCPTextElement* titleElement = nullptr;
    QCPAxisRect* rect = nullptr;
    std::vector<QCPItemLine*> arrows;  // nullptr where dropped or m == 1
    std::vector<QCPItemTracer*> dots;  // tip markers for dots (dropped features, m == 1), else nullptr
    std::vector<QCPItemText*> labels;  // n <= 20 only
    QCPItemText* selectionLabel = nullptr; // n > 20: the selected feature's index
    QCPItemText* geometryText = nullptr;
    QCPCurve* shafts = nullptr;        // n > kBulkFeatures
    QCPCurve* droppedDots = nullptr;
    QCPItemLine* selectedArrow = nullptr;

    bool isDropped(int feature) const { return !(norms[feature] >= kDroppedNorm); }
    // The share of ||W_i|| that lies in the drawn plane (1 for m <= 2).
    double inPlaneShare(int feature) const;
    // m > 2: a learned feature whose projection keeps less than this share of its norm points mostly out of the
    // plane; it is drawn faint and unlabelled (its numbers are in the hover text), so it does not pile up at the origin.
    static constexpr double kEndOnShare = 0.35;
    bool isEndOn(int feature) const { return m > 2 && !isDropped(feature) && inPlaneShare(feature) < kEndOnShare; }
    // Features whose drawn tips lie within `tolerance` (plot units) of feature i's, i included, ascending.
    std::vector<int> featuresAtTipOf(int feature, double tolerance) const;
    // Makes the title, the axis rect (appended to `grid`) and every item.
    void build(QCustomPlot* plot, QCPLayoutGrid* grid, double limit);
    // True when `old` has the same shape and the same arrows and dots, so its items can simply move.
    bool canReuseItemsOf(const ArrowPanel& old) const;
    // Takes over the items of `old` (see canReuseItemsOf) and moves them to this panel's positions.
    void takeItemsFrom(ArrowPanel& old, double limit);
    // The selected feature (-1: none) drawn thicker and on top, the others faded.
    void applySelection(int selected, double limit);
    QPointF labelPosition(int feature, double limit) const;
    // Puts the geometry note in the panel corner with the fewest tips and labels under it.
    void placeGeometryText(double limit) const;

private:
    void buildGuides(QCustomPlot* plot, double limit);
    void buildFeatures(QCustomPlot* plot, double limit);
    void buildNotes(QCustomPlot* plot, double limit);
    void fillBulk();
    void groupLabels(double limit);
};
