#pragma once

#include "plots/InteractivePlot.h"

#include <Eigen/Core>

// WᵀW (n x n) as a heatmap on a fixed diverging scale [-1, 1] (blue negative, white 0, red positive; values beyond
// the scale saturate), feature 0 at the top left, with the bias b as a one-column strip on the same colour map to
// the right (labelled "b") and a colour scale. The heatmap is kept square. Hover shows (i, j, value); a click on row
// i of the heatmap or on b_i emits featureClicked(i).
class GramHeatmapPlot : public InteractivePlot {
    Q_OBJECT
public:
    explicit GramHeatmapPlot(QWidget* parent = nullptr);

    // W is m x n; b should have n entries (missing entries are blank). Non-finite values are drawn grey. Replots.
    void setMatrix(const Eigen::MatrixXf& W, const Eigen::VectorXf& b);
    void clear();
    void setTitle(const QString& title);

    // -1 clears. Row and column of the selected feature are outlined, and its bias cell.
    void setSelectedFeature(int feature);
    int selectedFeature() const { return m_selected; }

    int featureCount() const { return int(m_gram.rows()); }
    const Eigen::MatrixXd& gram() const { return m_gram; }
    QCPColorMap* gramMap() const { return m_gramMap; }
    QCPColorMap* biasMap() const { return m_biasMap; }
    QCPColorScale* colorScale() const { return m_scale; }
    QCPAxisRect* gramRect() const { return m_gramRect; }
    QCPAxisRect* biasRect() const { return m_biasRect; }
    // Centre of cell (row i, column j), and of bias cell i, in widget pixels (valid after a replot).
    QPointF cellPixel(int row, int column) const;
    QPointF biasPixel(int feature) const;
    // The selection outlines (hidden when nothing is selected), for inspection.
    QList<QCPItemRect*> selectionItems() const { return {m_rowOutline, m_columnOutline, m_biasOutline}; }

    int featureAt(const QPointF& pos) const;
    QString hoverText(const QPointF& pos) const override;

Q_SIGNALS:
    void featureClicked(int feature);
    void backgroundClicked();

protected:
    void updateLayout() override;
    void plotClicked(const QPointF& pos) override;

private:
    bool cellAt(const QPointF& pos, int* row, int* column, bool* bias) const;
    void applySelection();
    QCPItemRect* makeOutline(QCPAxisRect* rect);

    QCPTextElement* m_title = nullptr;
    QCPAxisRect* m_gramRect = nullptr;
    QCPAxisRect* m_biasRect = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPColorMap* m_gramMap = nullptr;
    QCPColorMap* m_biasMap = nullptr;
    QCPItemRect* m_rowOutline = nullptr;
    QCPItemRect* m_columnOutline = nullptr;
    QCPItemRect* m_biasOutline = nullptr;
    Eigen::MatrixXd m_gram;
    Eigen::VectorXd m_bias;
    int m_selected = -1;
};
