#pragma once

#include "experiments/GroundTruthComparison.h"
#include "plots/InteractivePlot.h"

#include <QStringList>

// The ground-truth view's figure: true features (rows) against the latents matched to them one to one (columns, in
// the Hungarian matching's order, so the diagonal holds the matched pairs), as signed cosines on the diverging scale
// [-1, 1], through the encoder (left) and the decoder (right), with one colour scale. Feature absorption reads as an
// asymmetry: the parent's decoder column is clean while its encoder row points away from the child (a blue cell in the
// child's row of the parent's column), so it stays silent where the child fires. Small matrices print each cell's
// value. A line under the maps gives MCC, F1, shrinkage and the absorption rate.
class GroundTruthCosinePlot : public InteractivePlot {
    Q_OBJECT
public:
    explicit GroundTruthCosinePlot(QWidget* parent = nullptr);

    void setComparison(const featurescope::GroundTruthComparison& comparison, const QString& subject);
    void clear(const QString& emptyText);

    bool hasData() const { return m_comparison.featureCount() > 0; }
    QCPColorMap* encoderMap() const { return m_encoderMap; }
    QCPColorMap* decoderMap() const { return m_decoderMap; }
    QCPAxisRect* encoderRect() const { return m_encoderRect; }
    QCPAxisRect* decoderRect() const { return m_decoderRect; }
    QString summary() const;
    int cellLabelCount() const { return int(m_cellLabels.size()); }
    QString hoverText(const QPointF& pos) const override;

private:
    void fillMap(QCPColorMap* map, QCPAxisRect* rect, const Eigen::MatrixXf& cosines);
    void styleRect(QCPAxisRect* rect);

    featurescope::GroundTruthComparison m_comparison;
    QCPTextElement* m_title = nullptr;
    QCPTextElement* m_summary = nullptr;
    QCPTextElement* m_encoderTitle = nullptr;
    QCPTextElement* m_decoderTitle = nullptr;
    QCPAxisRect* m_encoderRect = nullptr;
    QCPAxisRect* m_decoderRect = nullptr;
    QCPColorMap* m_encoderMap = nullptr;
    QCPColorMap* m_decoderMap = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPItemText* m_empty = nullptr;
    std::vector<QCPItemText*> m_cellLabels;
};
