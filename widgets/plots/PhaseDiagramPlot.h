#pragma once

#include "plots/InteractivePlot.h"

#include <QPointF>

#include <vector>

// A phase diagram of the extra feature (TMS §"phase change"): x = its relative importance (log, ~0.1..10),
// y = its density 1-S (log, ~0.01..1); each grid cell coloured by what the trained model did with the feature —
// not learned (light grey), a dedicated dimension (blue) or superposition (red) — drawn as a QCPColorMap without
// interpolation, plus the analytic region boundaries as black lines and a small legend. The grid is assumed
// log-spaced along each axis (in any order). Cells are not features: featureClicked is never emitted and
// setSelectedFeature does nothing; cellClicked/setSelectedCell address grid cells.
class PhaseDiagramPlot : public InteractivePlot {
    Q_OBJECT
public:
    enum Cell { NotLearned = 0, Dedicated = 1, Superposition = 2 };

    explicit PhaseDiagramPlot(QWidget* parent = nullptr);

    // cells is row-major [y][x] (size density.size() * relativeImportance.size()); values other than 0, 1, 2 are
    // blank. boundaries are polylines in data coordinates; points with a non-positive coordinate are skipped.
    // Replots.
    void setGrid(const std::vector<double>& relativeImportance /* x, log, 0.1..10 */,
                 const std::vector<double>& density /* y, log, 1 -> 0.01 */,
                 const std::vector<int>& cells /* row-major [y][x]: 0 not learned, 1 dedicated, 2 superposition */,
                 const std::vector<std::vector<QPointF>>& boundaries /* analytic region boundaries in data coords */);
    void clear();
    // How sure each cell is (row-major like the cells; the share of runsPerCell runs that agree with the region
    // shown): a cell is drawn paler the fewer runs agree, and its hover text says "3 of 4 runs agree". Call after
    // setGrid (which forgets it); an empty vector draws every cell opaque.
    void setCertainty(const std::vector<float>& certainty, int runsPerCell);
    // Opacity of cell (column, row) in [0, 1] (1 without certainty).
    double cellOpacity(int column, int row) const;
    void setTitle(const QString& title);
    // The text shown in the middle of the plot while it has no grid (what to do to fill it).
    void setEmptyHint(const QString& text);
    QString emptyHint() const;
    bool isEmptyHintShown() const;
    // The colour the analytic boundaries are drawn in under the current theme (black on light backgrounds,
    // near-white on dark ones), for text that names it.
    static QColor boundaryColor();

    void setSelectedFeature(int feature); // no visible effect: cells are not features
    int selectedFeature() const { return m_selected; }
    // Outline one cell (column = index into relativeImportance, row = index into density); (-1, -1) clears.
    void setSelectedCell(int column, int row);

    static QColor cellColor(int cell);
    QCPColorMap* colorMap() const { return m_map; }
    int boundaryCount() const { return int(m_boundaries.size()); }
    // Category of cell (column, row) as given, -1 if out of range.
    int cellAt(int column, int row) const;
    // Category drawn at colour-map cell (column, row) of the given grid indices (reads the QCPColorMap back).
    double mapValue(int column, int row) const;
    // Centre of a cell in widget pixels (valid after a replot).
    QPointF cellPixel(int column, int row) const;

    bool cellAtPixel(const QPointF& pos, int* column, int* row) const;
    QString hoverText(const QPointF& pos) const override;

Q_SIGNALS:
    void featureClicked(int feature);
    void cellClicked(int column, int row);
    void backgroundClicked();

protected:
    void plotClicked(const QPointF& pos) override;

private:
    // Map-cell index of grid index k along one axis (grids may be given in decreasing order).
    static int mapIndex(const std::vector<double>& values, int k);

    QCPTextElement* m_title = nullptr;
    QCPColorMap* m_map = nullptr;
    QCPItemRect* m_cellOutline = nullptr;
    QCPItemText* m_empty = nullptr;
    std::vector<QCPCurve*> m_boundaries;
    std::vector<double> m_x;
    std::vector<double> m_y;
    std::vector<int> m_cells;
    std::vector<float> m_certainty;
    int m_runsPerCell = 0;
    QCPBars* m_uncertainSwatch = nullptr;
    int m_selected = -1;
};
