#pragma once

#include "FeatureSnapshot.h"

#include "plots/ImageGridWidget.h"

#include <QWidget>

#include <memory>

class DirectionPlot;
class TokenContextView;
class HistogramPlot;
class QComboBox;
class QLabel;
class QListWidget;
class QStackedWidget;
class QTableWidget;

// Everything about one SAE feature, the way SAE-Vis / Neuronpedia show it: a header with its numbers, the
// histogram of its activations (density in the title), its top-activating examples and quantile samples (image
// grids with activation and label for image sources, highlighted token contexts for imports with token strings,
// rows of values otherwise), the activation-weighted mean input
// (an image) or its decoder direction against the matching true feature, and the nearest features by decoder
// cosine (a click emits featureClicked).
class FeatureDetailView : public QWidget {
    Q_OBJECT
public:
    explicit FeatureDetailView(QWidget* parent = nullptr);

    // Shows feature `feature` of the snapshot (nothing when the snapshot is null or the index out of range).
    void setFeature(std::shared_ptr<const FeatureSnapshot> snapshot, int feature);
    int feature() const { return m_feature; }

    HistogramPlot* activationPlot() const { return m_activations; }
    // The widget currently showing top examples / quantile samples / the mean input (grid, table or plot).
    QWidget* topExamplesWidget() const;
    QWidget* quantileWidget() const;
    QWidget* meanInputWidget() const;
    ImageGridWidget* topGrid() const { return m_topGrid; }
    QTableWidget* topRows() const { return m_topRows; }
    QListWidget* nearestList() const { return m_nearest; }
    TokenContextView* topTokens() const { return m_topTokens; }
    TokenContextView* quantileTokens() const { return m_quantileTokens; }
    QString headerText() const;

    enum class Part { TopExamples, Quantiles, MeanInput };
    // A parentless copy of one part showing the current feature, laid out for export at any size (the caller owns
    // it); nullptr when the part is a plot, which exports itself at any size.
    QWidget* createFigure(Part part) const;

Q_SIGNALS:
    void featureClicked(int feature);

private:
    void clearViews(const QString& why);
    void fillGrid(ImageGridWidget* grid, const std::vector<int>& examples, const std::vector<float>& values);
    void fillRows(QTableWidget* table, const std::vector<int>& examples, const std::vector<float>& values) const;
    void fillTokens(TokenContextView* view, const std::vector<int>& examples, const std::vector<float>& values) const;
    ImageGridWidget::ColourMap colourMap() const;

    std::shared_ptr<const FeatureSnapshot> m_snapshot;
    int m_feature = -1;
    QLabel* m_header = nullptr;
    QComboBox* m_colour = nullptr;
    HistogramPlot* m_activations = nullptr;
    QStackedWidget* m_meanStack = nullptr;
    ImageGridWidget* m_meanImage = nullptr;
    DirectionPlot* m_direction = nullptr;
    QListWidget* m_nearest = nullptr;
    QLabel* m_truth = nullptr;
    QStackedWidget* m_topStack = nullptr;
    ImageGridWidget* m_topGrid = nullptr;
    QTableWidget* m_topRows = nullptr;
    QStackedWidget* m_quantileStack = nullptr;
    ImageGridWidget* m_quantileGrid = nullptr;
    QTableWidget* m_quantileRows = nullptr;
    TokenContextView* m_topTokens = nullptr;      // token-bearing imports: highlighted text
    TokenContextView* m_quantileTokens = nullptr;
    QLabel* m_topTitle = nullptr;
    QLabel* m_quantileTitle = nullptr;
};
