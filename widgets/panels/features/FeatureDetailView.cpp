#include "FeatureDetailView.h"

#include "FeatureTableModel.h"
#include "TokenContextView.h"
#include "plots/DirectionPlot.h"
#include "plots/FeaturePalette.h"
#include "plots/HistogramPlot.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace {

QWidget* rowsPage(QWidget* parent, QLabel** title, QTableWidget** table, const QString& tip)
{
    auto* page = new QWidget(parent);
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    *title = new QLabel(page);
    (*title)->setFont(FeaturePalette::font(11.0, true));
    *table = new QTableWidget(page);
    (*table)->setEditTriggers(QAbstractItemView::NoEditTriggers);
    (*table)->setSelectionMode(QAbstractItemView::NoSelection);
    (*table)->verticalHeader()->setVisible(false);
    (*table)->verticalHeader()->setDefaultSectionSize(20);
    (*table)->horizontalHeader()->setStretchLastSection(false);
    (*table)->setToolTip(tip);
    layout->addWidget(*title);
    layout->addWidget(*table, 1);
    return page;
}

} // namespace

FeatureDetailView::FeatureDetailView(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);

    m_header = new QLabel(this);
    m_header->setObjectName(QStringLiteral("featureHeader"));
    m_header->setWordWrap(true);
    m_header->setTextFormat(Qt::RichText);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_header->setToolTip(tr("The selected feature's numbers on the evaluation inputs"));
    m_colour = new QComboBox(this);
    m_colour->addItem(tr("Grey"));
    m_colour->addItem(tr("Viridis"));
    m_colour->setToolTip(tr("Colour map of the image thumbnails"));
    auto* headerRow = new QHBoxLayout;
    headerRow->addWidget(m_header, 1);
    headerRow->addWidget(m_colour, 0, Qt::AlignTop);
    layout->addLayout(headerRow);

    m_activations = new HistogramPlot(this);
    m_activations->setObjectName(QStringLiteral("featureActivationPlot"));
    m_activations->setAxisLabels(tr("activation (active inputs only)"), tr("inputs"));
    m_activations->setTitle(tr("Feature activations"));
    m_activations->setToolTip(tr("How strongly the feature fires on the inputs where it is active"));
    m_activations->setMinimumHeight(150);

    m_meanStack = new QStackedWidget(this);
    m_meanImage = new ImageGridWidget(m_meanStack);
    m_meanImage->setTitle(tr("Weighted mean input"));
    m_meanImage->setToolTip(tr("The activation-weighted mean of the input images: what the feature responds to on "
                               "average"));
    m_direction = new DirectionPlot(m_meanStack);
    m_direction->setToolTip(tr("The decoder direction (bars) and the matching true feature or the activation-weighted "
                               "mean input (circles), component by component"));
    m_meanStack->addWidget(m_meanImage);
    m_meanStack->addWidget(m_direction);

    auto* nearestBox = new QWidget(this);
    auto* nearestLayout = new QVBoxLayout(nearestBox);
    nearestLayout->setContentsMargins(0, 0, 0, 0);
    nearestLayout->setSpacing(2);
    auto* nearestTitle = new QLabel(tr("Nearest features"), nearestBox);
    nearestTitle->setFont(FeaturePalette::font(11.0, true));
    nearestTitle->setWordWrap(true); // the presentation theme's larger font would cut it in the fixed column
    m_nearest = new QListWidget(nearestBox);
    m_nearest->setObjectName(QStringLiteral("nearestFeatures"));
    m_nearest->setToolTip(tr("Features with the most similar decoder directions (cosine); click one to select it"));
    m_truth = new QLabel(nearestBox);
    m_truth->setObjectName(QStringLiteral("trueMatch"));
    m_truth->setWordWrap(true);
    m_truth->setToolTip(tr("Ground-truth sources: the true feature closest to this decoder direction"));
    nearestLayout->addWidget(nearestTitle);
    nearestLayout->addWidget(m_nearest, 1);
    nearestLayout->addWidget(m_truth);
    nearestBox->setFixedWidth(150);

    m_topStack = new QStackedWidget(this);
    m_topGrid = new ImageGridWidget(m_topStack);
    m_topGrid->setObjectName(QStringLiteral("topExamplesGrid"));
    m_topGrid->setToolTip(tr("The inputs on which the feature fires most, with activation and label"));
    m_topStack->addWidget(m_topGrid);
    m_topStack->addWidget(rowsPage(m_topStack, &m_topTitle, &m_topRows,
                                   tr("The inputs on which the feature fires most: activation, input norm and the "
                                      "cosine between the input and the feature's decoder direction")));
    m_topTokens = new TokenContextView(m_topStack);
    m_topTokens->setObjectName(QStringLiteral("topTokens"));
    m_topTokens->setToolTip(tr("The tokens on which the feature fires most, in context; shading = activation"));
    m_topStack->addWidget(m_topTokens);
    m_quantileStack = new QStackedWidget(this);
    m_quantileGrid = new ImageGridWidget(m_quantileStack);
    m_quantileGrid->setObjectName(QStringLiteral("quantileGrid"));
    m_quantileGrid->setToolTip(tr("Inputs at evenly spaced quantiles of the feature's activation (weakest first): "
                                  "does the meaning hold at low activations too?"));
    m_quantileGrid->setMaxColumns(12);
    m_quantileStack->addWidget(m_quantileGrid);
    m_quantileStack->addWidget(rowsPage(m_quantileStack, &m_quantileTitle, &m_quantileRows,
                                        tr("Inputs at evenly spaced quantiles of the feature's activation, weakest "
                                           "first")));
    m_quantileTokens = new TokenContextView(m_quantileStack);
    m_quantileTokens->setObjectName(QStringLiteral("quantileTokens"));
    m_quantileStack->addWidget(m_quantileTokens);

    // Plots on top; examples beside the nearest features; quantile samples across the bottom.
    auto* plotRow = new QHBoxLayout;
    plotRow->addWidget(m_activations, 1);
    plotRow->addWidget(m_meanStack, 1);
    auto* examplesRow = new QHBoxLayout;
    examplesRow->addWidget(m_topStack, 1);
    examplesRow->addWidget(nearestBox, 0);
    layout->addLayout(plotRow, 5);
    layout->addLayout(examplesRow, 6);
    layout->addWidget(m_quantileStack, 3);

    connect(m_nearest, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
        Q_EMIT featureClicked(item->data(Qt::UserRole).toInt());
    });
    connect(m_nearest, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        Q_EMIT featureClicked(item->data(Qt::UserRole).toInt());
    });
    connect(m_colour, &QComboBox::currentIndexChanged, this, [this] {
        for (auto* grid : {m_topGrid, m_quantileGrid, m_meanImage})
            grid->setColourMap(colourMap());
    });
    clearViews(tr("Select a feature in the table, the density histogram or the nearest-features list"));
}

ImageGridWidget::ColourMap FeatureDetailView::colourMap() const
{
    return m_colour->currentIndex() == 1 ? ImageGridWidget::ColourMap::Viridis : ImageGridWidget::ColourMap::Grey;
}

QWidget* FeatureDetailView::topExamplesWidget() const { return m_topStack->currentWidget(); }
QWidget* FeatureDetailView::quantileWidget() const { return m_quantileStack->currentWidget(); }
QWidget* FeatureDetailView::meanInputWidget() const { return m_meanStack->currentWidget(); }
QString FeatureDetailView::headerText() const { return m_header->text(); }

void FeatureDetailView::clearViews(const QString& why)
{
    m_header->setText(QStringLiteral("<b>%1</b>").arg(why.toHtmlEscaped()));
    m_activations->clear();
    m_activations->setTitle(tr("Feature activations"));
    m_activations->setNote(QString());
    m_meanImage->clear();
    m_direction->clear();
    m_direction->setTitle(tr("Decoder direction"));
    m_nearest->clear();
    m_truth->clear();
    m_topGrid->clear();
    m_topGrid->setTitle(tr("Top-activating examples"));
    m_quantileGrid->clear();
    m_quantileGrid->setTitle(tr("Quantile samples"));
    m_topRows->setRowCount(0);
    m_quantileRows->setRowCount(0);
    m_topTokens->setRows({}, 1.0f);
    m_quantileTokens->setRows({}, 1.0f);
    m_topTitle->setText(tr("Top-activating examples"));
    m_quantileTitle->setText(tr("Quantile samples"));
}

void FeatureDetailView::setFeature(std::shared_ptr<const FeatureSnapshot> snapshot, int feature)
{
    m_snapshot = std::move(snapshot);
    m_feature = feature;
    const bool images = m_snapshot && m_snapshot->hasImages();
    const bool tokens = !images && m_snapshot && m_snapshot->hasTokens();
    m_topStack->setCurrentIndex(images ? 0 : tokens ? 2 : 1);
    m_quantileStack->setCurrentIndex(images ? 0 : tokens ? 2 : 1);
    m_meanStack->setCurrentIndex(images ? 0 : 1);
    m_colour->setVisible(images);
    if (!m_snapshot || feature < 0 || feature >= m_snapshot->latentDim()) {
        clearViews(m_snapshot ? tr("Select a feature in the table, the density histogram or the nearest-features list")
                              : tr("Train an SAE to browse its features"));
        return;
    }
    const FeatureSnapshot& s = *m_snapshot;
    const auto& evaluator = *s.evaluator;
    const featurescope::SaeFeatureSummary summary = evaluator.feature(feature);
    const QString density = FeatureTableModel::formatDensity(summary.density);

    QStringList parts;
    parts << tr("density %1").arg(density) << tr("max %1").arg(double(summary.maxActivation), 0, 'g', 3);
    if (summary.labelPurity >= 0.0)
        parts << tr("purity %1").arg(summary.labelPurity, 0, 'f', 2);
    if (summary.coherence >= -0.5)
        parts << tr("coherence %1").arg(summary.coherence, 0, 'f', 2);
    if (summary.bestTrueFeature >= 0)
        parts << tr("true feature #%1 (cos %2)").arg(summary.bestTrueFeature).arg(double(summary.bestTrueCosine), 0, 'f', 3);
    m_header->setText(tr("<b>Feature %1</b> · %2%3")
                          .arg(feature)
                          .arg(parts.join(QStringLiteral(" · ")).toHtmlEscaped())
                          .arg(s.final ? QString() : tr(" <i>(live)</i>")));

    // Activation histogram over the active inputs.
    const Eigen::VectorXf all = evaluator.activations(feature);
    std::vector<double> active;
    for (Eigen::Index i = 0; i < all.size(); ++i)
        if (all[i] > 0.0f)
            active.push_back(all[i]);
    m_activations->setTitle(tr("Feature %1 · density %2").arg(feature).arg(density));
    if (active.empty()) {
        m_activations->clear();
        m_activations->setEmptyText(tr("dead: never active on the %1 evaluation inputs").arg(evaluator.evaluationSet().size()));
        m_activations->setNote(QString());
    } else {
        const double top = *std::max_element(active.begin(), active.end());
        const auto edges = HistogramPlot::binEdges(0.0, top > 0.0 ? top * 1.0001 : 1.0, 30);
        m_activations->setHistogram(edges, {{QString(), FeaturePalette::featureColor(0),
                                             HistogramPlot::countValues(active, edges)}});
        m_activations->setNote(tr("%1 of %2 inputs").arg(active.size()).arg(evaluator.evaluationSet().size()));
    }

    // Mean input / direction.
    if (images) {
        const auto mean = evaluator.weightedMeanImage(feature);
        if (!mean.empty()) {
            ImageGridWidget::Tile tile;
            tile.pixels = mean;
            tile.rows = evaluator.evaluationSet().imageRows;
            tile.cols = evaluator.evaluationSet().imageCols;
            const auto [lo, hi] = std::minmax_element(mean.begin(), mean.end());
            tile.low = *lo;
            tile.high = std::max(*hi, *lo + 1e-3f);
            tile.caption = tr("activation-weighted");
            tile.toolTip = tr("Mean of the input images weighted by feature %1's activation").arg(feature);
            m_meanImage->setTiles({tile});
        } else {
            m_meanImage->clear();
        }
        m_meanImage->setColourMap(colourMap());
    } else {
        const Eigen::VectorXf column = s.sae->decoderWeights().col(feature);
        const float norm = column.norm();
        std::vector<float> bars(std::size_t(column.size()));
        for (Eigen::Index i = 0; i < column.size(); ++i)
            bars[std::size_t(i)] = norm > 0.0f ? column[i] / norm : 0.0f;
        std::vector<float> markers;
        QString markersName, title;
        if (summary.bestTrueFeature >= 0 && s.hasGroundTruth()) {
            const Eigen::VectorXf truth = s.truth.col(summary.bestTrueFeature);
            markers.assign(truth.data(), truth.data() + truth.size());
            markersName = tr("true #%1").arg(summary.bestTrueFeature);
            title = tr("Decoder vs true #%1").arg(summary.bestTrueFeature);
        } else {
            // Activation-weighted mean input, scaled to unit norm for comparison.
            const auto& X = evaluator.evaluationSet().activations;
            Eigen::VectorXf mean = X * all;
            const float n = mean.norm();
            if (n > 0.0f)
                mean /= n;
            markers.assign(mean.data(), mean.data() + mean.size());
            markersName = tr("weighted mean input");
            title = tr("Decoder direction");
        }
        m_direction->setTitle(title);
        m_direction->setVectors(bars, tr("decoder"), markers, markersName);
    }

    // Nearest features.
    m_nearest->clear();
    for (std::size_t t = 0; t < summary.nearestFeatures.size(); ++t) {
        auto* item = new QListWidgetItem(tr("#%1   cos %2").arg(summary.nearestFeatures[t]).arg(double(summary.nearestCosines[t]), 0, 'f', 3),
                                         m_nearest);
        item->setData(Qt::UserRole, summary.nearestFeatures[t]);
        item->setToolTip(tr("Click to select feature %1").arg(summary.nearestFeatures[t]));
    }
    if (summary.bestTrueFeature >= 0) {
        const auto& best = evaluator.trueFeatureBestCosine();
        QString text = tr("Matches true feature <b>#%1</b>, cosine <b>%2</b>")
                           .arg(summary.bestTrueFeature)
                           .arg(double(summary.bestTrueCosine), 0, 'f', 3);
        if (std::size_t(summary.bestTrueFeature) < best.size() &&
            best[std::size_t(summary.bestTrueFeature)] > summary.bestTrueCosine + 1e-4f)
            text += tr(" (another feature matches it better: %1)").arg(double(best[std::size_t(summary.bestTrueFeature)]), 0, 'f', 3);
        m_truth->setText(text);
    } else {
        m_truth->setText(s.hasLabels() ? tr("No ground truth: judge by the examples") : QString());
    }

    // Examples.
    const QString topTitle = tr("Top %1 activating examples").arg(summary.topExamples.size());
    const QString quantileTitle = tr("Quantile samples (weakest → strongest)");
    if (images) {
        m_topGrid->setTitle(topTitle);
        m_quantileGrid->setTitle(quantileTitle);
        fillGrid(m_topGrid, summary.topExamples, summary.topActivations);
        fillGrid(m_quantileGrid, summary.quantileExamples, summary.quantileActivations);
    } else if (tokens) {
        m_topTokens->setTitle(topTitle);
        m_quantileTokens->setTitle(quantileTitle);
        fillTokens(m_topTokens, summary.topExamples, summary.topActivations);
        fillTokens(m_quantileTokens, summary.quantileExamples, summary.quantileActivations);
    } else {
        m_topTitle->setText(topTitle);
        m_quantileTitle->setText(quantileTitle);
        fillRows(m_topRows, summary.topExamples, summary.topActivations);
        fillRows(m_quantileRows, summary.quantileExamples, summary.quantileActivations);
    }
}

void FeatureDetailView::fillGrid(ImageGridWidget* grid, const std::vector<int>& examples, const std::vector<float>& values)
{
    const auto& set = m_snapshot->evaluator->evaluationSet();
    std::vector<ImageGridWidget::Tile> tiles;
    const int pixels = set.imageRows * set.imageCols;
    for (std::size_t t = 0; t < examples.size(); ++t) {
        const int example = examples[t];
        ImageGridWidget::Tile tile;
        tile.rows = set.imageRows;
        tile.cols = set.imageCols;
        const std::uint8_t* image = set.image(example);
        tile.pixels.assign(image, image + pixels);
        const int labelIndex = set.hasLabels() ? set.labels[std::size_t(example)] : -1;
        const QString label = labelIndex >= 0 ? m_snapshot->labelName(labelIndex) : QString();
        const double v = values[t];
        tile.caption = QString::number(v, 'g', std::abs(v) < 0.1 ? 2 : 3) +
                       (labelIndex >= 0 ? QStringLiteral("\n") + m_snapshot->shortLabelName(labelIndex) : QString());
        tile.toolTip = tr("test image %1\nactivation %2%3")
                           .arg(example)
                           .arg(double(values[t]), 0, 'g', 4)
                           .arg(label.isEmpty() ? QString() : tr("\nlabel: %1").arg(label));
        tiles.push_back(std::move(tile));
    }
    grid->setEmptyText(tr("no active examples"));
    grid->setTiles(std::move(tiles));
    grid->setColourMap(colourMap());
}

void FeatureDetailView::fillRows(QTableWidget* table, const std::vector<int>& examples,
                                 const std::vector<float>& values) const
{
    const auto& set = m_snapshot->evaluator->evaluationSet();
    const bool labels = set.hasLabels();
    QStringList headers{tr("Input"), tr("Activation"), tr("‖x‖"), tr("cos(x, decoder)")};
    if (labels)
        headers << tr("Label");
    table->clear();
    table->setColumnCount(int(headers.size()));
    table->setHorizontalHeaderLabels(headers);
    table->setRowCount(int(examples.size()));
    const Eigen::VectorXf column = m_snapshot->sae->decoderWeights().col(m_feature);
    const float dnorm = column.norm();
    const float top = values.empty() ? 1.0f : std::max(*std::max_element(values.begin(), values.end()), 1e-12f);
    for (int r = 0; r < int(examples.size()); ++r) {
        const int example = examples[std::size_t(r)];
        const auto x = set.activations.col(example);
        const float xnorm = x.norm();
        const float cosine = xnorm > 0.0f && dnorm > 0.0f ? x.dot(column) / (xnorm * dnorm) : 0.0f;
        auto* input = new QTableWidgetItem(QString::number(example));
        auto* value = new QTableWidgetItem(QString::number(double(values[std::size_t(r)]), 'g', 3));
        // Highlight intensity = activation, like SAE-Vis' token highlighting.
        QColor shade = FeaturePalette::featureColor(1);
        shade.setAlphaF(float(0.08 + 0.5 * std::clamp(values[std::size_t(r)] / top, 0.0f, 1.0f)));
        value->setBackground(shade);
        auto* norm = new QTableWidgetItem(QString::number(double(xnorm), 'f', 3));
        auto* cos = new QTableWidgetItem(QString::number(double(cosine), 'f', 3));
        for (auto* item : {input, value, norm, cos})
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        table->setItem(r, 0, input);
        table->setItem(r, 1, value);
        table->setItem(r, 2, norm);
        table->setItem(r, 3, cos);
        if (labels)
            table->setItem(r, 4, new QTableWidgetItem(m_snapshot->labelName(set.labels[std::size_t(example)])));
    }
    table->resizeColumnsToContents();
}

void FeatureDetailView::fillTokens(TokenContextView* view, const std::vector<int>& examples,
                                   const std::vector<float>& values) const
{
    constexpr int kBefore = 24, kAfter = 8; // more left context: a feature usually reads what came before
    const auto& file = *m_snapshot->imported();
    const auto& set = m_snapshot->evaluator->evaluationSet();
    const Eigen::VectorXf acts = m_snapshot->evaluator->activations(m_feature); // one per evaluated row
    const int rows = int(file.tokens.size());
    const float scale = std::max(m_snapshot->maxActivations[std::size_t(m_feature)], 1e-12f);
    std::vector<TokenContextView::Row> out;
    for (std::size_t e = 0; e < examples.size(); ++e) {
        const int example = examples[e];
        if (example < 0 || example >= rows)
            continue;
        const std::int64_t sequence = file.sequenceIds[std::size_t(example)];
        int first = example, last = example;
        while (first > 0 && example - first < kBefore && file.sequenceIds[std::size_t(first - 1)] == sequence)
            --first;
        while (last + 1 < rows && last - example < kAfter && file.sequenceIds[std::size_t(last + 1)] == sequence)
            ++last;
        TokenContextView::Row row;
        row.value = values[e];
        row.centre = example - first;
        for (int r = first; r <= last; ++r) {
            TokenContextView::Token token;
            token.text = QString::fromStdString(file.tokens[std::size_t(r)]);
            token.known = r < acts.size();
            token.activation = token.known ? acts[r] : 0.0f;
            row.tokens.push_back(std::move(token));
        }
        if (set.hasLabels())
            row.label = m_snapshot->labelName(set.labels[std::size_t(example)]);
        row.toolTip = tr("row %1 (sequence %2)\nactivation %3\ntoken: %4")
                          .arg(example)
                          .arg(sequence)
                          .arg(double(values[e]), 0, 'g', 4)
                          .arg(TokenContextView::displayText(QString::fromStdString(file.tokens[std::size_t(example)])));
        out.push_back(std::move(row));
    }
    view->setEmptyText(tr("no active examples"));
    view->setRows(std::move(out), scale);
}

QWidget* FeatureDetailView::createFigure(Part part) const
{
    const bool images = m_snapshot && m_snapshot->hasImages();
    if (part == Part::MeanInput && !images)
        return nullptr;
    if (!images && m_snapshot && m_snapshot->hasTokens() && part != Part::MeanInput) {
        const TokenContextView* source = part == Part::TopExamples ? m_topTokens : m_quantileTokens;
        auto* view = new TokenContextView;
        view->setTitle(source->title());
        view->setRows(source->rows(), source->scale());
        return view;
    }
    if (images) {
        const ImageGridWidget* source = part == Part::TopExamples ? m_topGrid
                                        : part == Part::Quantiles ? m_quantileGrid
                                                                  : m_meanImage;
        auto* grid = new ImageGridWidget;
        grid->setTitle(source->title());
        grid->setColourMap(source->colourMap());
        grid->setTiles(source->tiles());
        if (part == Part::Quantiles)
            grid->setMaxColumns(12);
        return grid;
    }
    auto* page = new QWidget;
    page->setAutoFillBackground(true);
    QLabel* title = nullptr;
    QTableWidget* table = nullptr;
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(rowsPage(page, &title, &table, QString()));
    const bool top = part == Part::TopExamples;
    title->setText(top ? m_topTitle->text() : m_quantileTitle->text());
    if (m_snapshot && m_feature >= 0 && m_feature < m_snapshot->latentDim()) {
        const auto summary = m_snapshot->evaluator->feature(m_feature);
        fillRows(table, top ? summary.topExamples : summary.quantileExamples,
                 top ? summary.topActivations : summary.quantileActivations);
    }
    return page;
}
