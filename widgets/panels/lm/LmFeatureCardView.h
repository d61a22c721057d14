#pragma once

#include "lmfeatures/FeatureDashboard.h"

#include <QWidget>

#include <memory>

class HistogramPlot;
class LmDashboardData;
class LogitEffectsPlot;
class QLabel;
class QListWidget;
class QTableWidget;
class TokenContextView;

// One LM feature's dashboard, SAE-Vis style: a header (density, max activation, dead / rare / dense flags), the top
// activating examples and the quantile groups (weakest band first) as highlighted token text, the log10 activation
// histogram, the direct logit effects as a table and a bar plot, and the nearest (decoder cosine) and co-firing
// (Jaccard) features as lists whose entries select that feature.
class LmFeatureCardView : public QWidget {
    Q_OBJECT
public:
    explicit LmFeatureCardView(QWidget* parent = nullptr);

    // Builds the feature's card (-1 or no data: the empty view).
    void setFeature(std::shared_ptr<const LmDashboardData> data, int feature);
    int feature() const { return m_feature; }
    const featurescope::FeatureCard& card() const { return m_card; }

    TokenContextView* topExamplesView() const { return m_top; }
    TokenContextView* quantileView() const { return m_quantiles; }
    HistogramPlot* histogramPlot() const { return m_histogram; }
    LogitEffectsPlot* logitPlot() const { return m_logitPlot; }
    QTableWidget* logitTable() const { return m_logitTable; }
    QListWidget* nearestList() const { return m_nearest; }
    QListWidget* coFiringList() const { return m_coFiring; }
    QString headerText() const;

Q_SIGNALS:
    void featureClicked(int feature);

private:
    void clear(const QString& why);

    std::shared_ptr<const LmDashboardData> m_data;
    int m_feature = -1;
    featurescope::FeatureCard m_card;
    QLabel* m_header = nullptr;
    TokenContextView* m_top = nullptr;
    TokenContextView* m_quantiles = nullptr;
    HistogramPlot* m_histogram = nullptr;
    LogitEffectsPlot* m_logitPlot = nullptr;
    QTableWidget* m_logitTable = nullptr;
    QListWidget* m_nearest = nullptr;
    QListWidget* m_coFiring = nullptr;
};
