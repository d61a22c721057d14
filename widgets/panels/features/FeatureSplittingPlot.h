#pragma once

#include "experiments/SaeFeatureSplitting.h"
#include "plots/InteractivePlot.h"

#include <QPointF>

#include <vector>

// The feature-splitting view's figure: a layered graph, one row per SAE width (1x at the top), one dot per live
// latent, and an edge from each latent to its parent one row up (the narrower SAE's latent of closest decoder
// direction) coloured by that cosine. Each row is ordered by its parents' positions, so a family stays together and a
// feature that splits fans out below itself. The chosen latent's family (its descendants, and its ancestors) is drawn
// on top in bold; click a dot to choose another. With zoomToFamily the x axis shows just that family.
class FeatureSplittingPlot : public InteractivePlot {
    Q_OBJECT
public:
    explicit FeatureSplittingPlot(QWidget* parent = nullptr);

    void setResult(const featurescope::SaeSplittingResult& result);
    void clear(const QString& emptyText);
    // Highlights `latent` of width index `width` (0 = 1x), its descendants and its ancestors; -1 clears.
    void setSelected(int width, int latent);
    void setZoomToFamily(bool zoom);

    int selectedWidth() const { return m_selectedWidth; }
    int selectedLatent() const { return m_selectedLatent; }
    // Edges drawn (one per live latent with a parent), and those of the highlighted family.
    int edgeCount() const { return m_edgeCount; }
    int familyEdgeCount() const { return m_familyEdgeCount; }
    // Where latent `latent` of width index `width` is drawn (plot coordinates); NaN when not drawn.
    QPointF nodePosition(int width, int latent) const;
    // The (width, latent) under a widget position, or (-1, -1).
    std::pair<int, int> nodeAt(const QPointF& pos) const;
    QString hoverText(const QPointF& pos) const override;

Q_SIGNALS:
    void latentClicked(int width, int latent);

protected:
    void plotClicked(const QPointF& pos) override;

private:
    void layoutNodes();
    void redraw();

    featurescope::SaeSplittingResult m_result;
    std::vector<std::vector<double>> m_x; // per width, per latent: x in [0, 1] (NaN for a silent latent)
    int m_selectedWidth = -1;
    int m_selectedLatent = -1;
    bool m_zoom = false;
    int m_edgeCount = 0;
    int m_familyEdgeCount = 0;
    QCPTextElement* m_title = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPItemText* m_empty = nullptr;
};
