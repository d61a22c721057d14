#include "LmFeatureCardView.h"

#include "LmDashboardData.h"
#include "LogitEffectsPlot.h"
#include "panels/features/TokenContextView.h"
#include "plots/FeaturePalette.h"
#include "plots/HistogramPlot.h"

#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QTableWidget>
#include <QVBoxLayout>

using featurescope::DashboardExample;

namespace {

TokenContextView::Row rowOf(const LmDashboardData& data, const DashboardExample& e, const QString& label)
{
    TokenContextView::Row row;
    row.value = e.maxActivation;
    row.label = label;
    row.centre = e.position - e.first;
    for (std::size_t t = 0; t < e.tokenIds.size(); ++t)
        row.tokens.push_back({data.token(e.tokenIds[t]), e.activations[t], true});
    row.toolTip = QObject::tr("Window %1, position %2: activation %3")
                      .arg(e.sequence)
                      .arg(e.position)
                      .arg(double(e.maxActivation), 0, 'g', 4);
    return row;
}

QListWidget* makeList(QWidget* parent, const QString& toolTip)
{
    auto* list = new QListWidget(parent);
    list->setToolTip(toolTip);
    list->setMinimumHeight(80);
    list->setUniformItemSizes(true);
    return list;
}

} // namespace

LmFeatureCardView::LmFeatureCardView(QWidget* parent) : QWidget(parent)
{
    m_header = new QLabel(this);
    m_header->setObjectName(QStringLiteral("lmCardHeader"));
    m_header->setTextFormat(Qt::RichText);
    m_header->setWordWrap(true);
    m_top = new TokenContextView(this);
    m_top->setObjectName(QStringLiteral("lmTopExamples"));
    m_top->setTitle(tr("Top activations"));
    m_top->setToolTip(tr("The strongest position of each of the strongest windows, ±8 tokens; each token shaded by "
                         "the feature's activation there, the strongest framed"));
    m_quantiles = new TokenContextView(this);
    m_quantiles->setObjectName(QStringLiteral("lmQuantiles"));
    m_quantiles->setTitle(tr("Quantile groups, weakest band first"));
    m_quantiles->setToolTip(tr("The active positions sorted by activation and cut into 5 bands of equal count; three "
                               "examples spread through each band"));
    m_histogram = new HistogramPlot(this);
    m_histogram->setTitle(tr("Activation histogram"));
    m_histogram->setAxisLabels(tr("log\u2081\u2080 activation"), tr("tokens"));
    m_histogram->setToolTip(tr("Counts of log10(activation) over the positions where the feature is active"));
    m_logitPlot = new LogitEffectsPlot(this);
    m_logitPlot->setToolTip(tr("The decoder direction carried through the rest of the model to the unembedding (ln_f's "
                               "gain folded in): tokens promoted (blue) and suppressed (orange)"));
    m_logitTable = new QTableWidget(0, 4, this);
    m_logitTable->setObjectName(QStringLiteral("lmLogitTable"));
    m_logitTable->setHorizontalHeaderLabels({tr("Promoted"), tr("Effect"), tr("Suppressed"), tr("Effect")});
    m_logitTable->verticalHeader()->setVisible(false);
    m_logitTable->verticalHeader()->setDefaultSectionSize(18);
    m_logitTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_logitTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_logitTable->setToolTip(tr("Top and bottom direct logit effects of the feature"));
    m_nearest = makeList(this, tr("Features whose decoder directions are closest (cosine); click one to open it"));
    m_nearest->setObjectName(QStringLiteral("lmNearest"));
    m_coFiring = makeList(this, tr("Features active on the same tokens (Jaccard index of their active positions); "
                                   "click one to open it"));
    m_coFiring->setObjectName(QStringLiteral("lmCoFiring"));

    auto* plots = new QHBoxLayout;
    plots->addWidget(m_histogram, 1);
    plots->addWidget(m_logitPlot, 1);
    auto* lists = new QGridLayout;
    lists->addWidget(new QLabel(tr("<b>Logit effects</b>"), this), 0, 0);
    lists->addWidget(new QLabel(tr("<b>Nearest</b> (decoder cosine)"), this), 0, 1);
    lists->addWidget(new QLabel(tr("<b>Co-firing</b> (Jaccard)"), this), 0, 2);
    lists->addWidget(m_logitTable, 1, 0);
    lists->addWidget(m_nearest, 1, 1);
    lists->addWidget(m_coFiring, 1, 2);
    lists->setColumnStretch(0, 2);
    lists->setColumnStretch(1, 1);
    lists->setColumnStretch(2, 1);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addWidget(m_header);
    layout->addWidget(m_top);
    layout->addWidget(m_quantiles);
    layout->addLayout(plots, 1);
    layout->addLayout(lists);
    // Every example row is shown (the view scrolls): the token views are never squeezed below their rows.
    for (TokenContextView* v : {m_top, m_quantiles})
        v->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    m_histogram->setMinimumHeight(220);
    m_logitPlot->setMinimumHeight(220);
    m_logitTable->setMinimumHeight(200);

    for (QListWidget* list : {m_nearest, m_coFiring})
        connect(list, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
            Q_EMIT featureClicked(item->data(Qt::UserRole).toInt());
        });
    for (QListWidget* list : {m_nearest, m_coFiring})
        connect(list, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
            Q_EMIT featureClicked(item->data(Qt::UserRole).toInt());
        });
    clear(tr("Scan a model with an SAE, then pick a feature"));
}

QString LmFeatureCardView::headerText() const { return m_header->text(); }

void LmFeatureCardView::clear(const QString& why)
{
    m_feature = -1;
    m_card = {};
    m_header->setText(QStringLiteral("<span style='color:gray'>%1</span>").arg(why.toHtmlEscaped()));
    m_top->setRows({}, 1.0f);
    m_top->setEmptyText(why);
    m_quantiles->setRows({}, 1.0f);
    m_quantiles->setEmptyText(QString());
    m_histogram->clear();
    m_logitPlot->setEmptyText(tr("no feature selected"));
    m_logitTable->setRowCount(0);
    m_nearest->clear();
    m_coFiring->clear();
}

void LmFeatureCardView::setFeature(std::shared_ptr<const LmDashboardData> data, int feature)
{
    m_data = std::move(data);
    if (!m_data || feature < 0 || feature >= m_data->features()) {
        clear(m_data ? tr("Pick a feature in the table") : tr("Scan a model with an SAE, then pick a feature"));
        return;
    }
    m_feature = feature;
    m_card = m_data->card(feature);
    const featurescope::FeatureCard& c = m_card;
    const LmDashboardData& d = *m_data;

    const std::int64_t scanned = d.dashboard().tokensScanned();
    QString flag;
    if (c.activeTokens == 0)
        flag = tr("dead: never active in %1 tokens").arg(scanned);
    else if (c.activeTokens < 5 || c.density < 1e-4)
        flag = tr("ultra-rare");
    else if (c.density > 0.1)
        flag = tr("dense: active on more than 10 % of tokens");
    m_header->setText(tr("<b>Feature %1</b> &nbsp; density %2 (%3 of %4 tokens) &nbsp; max activation %5 &nbsp; "
                         "<span style='color:gray'>%6</span>%7")
                          .arg(feature)
                          .arg(c.density, 0, 'g', 3)
                          .arg(c.activeTokens)
                          .arg(scanned)
                          .arg(double(c.maxActivation), 0, 'g', 4)
                          .arg(QString::fromStdString(d.hook().name()).toHtmlEscaped())
                          .arg(flag.isEmpty() ? QString() : QStringLiteral(" &nbsp; <b style='color:#c0392b'>%1</b>").arg(flag)));

    std::vector<TokenContextView::Row> top;
    for (const DashboardExample& e : c.topExamples)
        top.push_back(rowOf(d, e, QString()));
    m_top->setEmptyText(tr("The feature never fired on the scanned text"));
    m_top->setRows(std::move(top), c.maxActivation);

    std::vector<TokenContextView::Row> bands;
    for (std::size_t g = 0; g < c.quantileGroups.size(); ++g) {
        const featurescope::QuantileGroup& q = c.quantileGroups[g];
        const QString label = tr("band %1: %2\u2013%3").arg(g + 1).arg(double(q.lower), 0, 'g', 3).arg(double(q.upper), 0, 'g', 3);
        for (const DashboardExample& e : q.examples)
            bands.push_back(rowOf(d, e, label));
    }
    m_quantiles->setRows(std::move(bands), c.maxActivation);

    if (c.histogramCounts.empty()) {
        m_histogram->clear();
    } else {
        std::vector<double> counts(c.histogramCounts.begin(), c.histogramCounts.end());
        m_histogram->setHistogram(c.histogramEdges, {{tr("feature %1").arg(feature), FeaturePalette::featureColor(0), counts}});
    }

    std::vector<LogitEffectsPlot::Bar> promoted, suppressed;
    for (const auto& t : c.topLogits)
        promoted.push_back({d.token(t.id), double(t.value)});
    for (const auto& t : c.bottomLogits)
        suppressed.push_back({d.token(t.id), double(t.value)});
    if (c.logitsAvailable)
        m_logitPlot->setEffects(promoted, suppressed);
    else
        m_logitPlot->setEmptyText(tr("%1 has no direct path to the logits").arg(QString::fromStdString(d.hook().name())));
    const int rows = int(std::max(promoted.size(), suppressed.size()));
    m_logitTable->setRowCount(rows);
    auto cell = [this](int r, int col, const QString& text, bool number) {
        auto* item = new QTableWidgetItem(text);
        if (number)
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_logitTable->setItem(r, col, item);
    };
    auto shown = [](const QString& t) { return LmDashboardData::visible(t); };
    for (int r = 0; r < rows; ++r) {
        if (r < int(promoted.size())) {
            cell(r, 0, shown(promoted[std::size_t(r)].token), false);
            cell(r, 1, QString::number(promoted[std::size_t(r)].value, 'f', 3), true);
        }
        if (r < int(suppressed.size())) {
            cell(r, 2, shown(suppressed[std::size_t(r)].token), false);
            cell(r, 3, QString::number(suppressed[std::size_t(r)].value, 'f', 3), true);
        }
    }

    auto fill = [](QListWidget* list, const std::vector<std::pair<int, float>>& pairs, const QString& what) {
        list->clear();
        for (const auto& [index, value] : pairs) {
            auto* item = new QListWidgetItem(QStringLiteral("#%1   %2 %3").arg(index).arg(what).arg(double(value), 0, 'f', 3), list);
            item->setData(Qt::UserRole, index);
        }
    };
    fill(m_nearest, c.nearest, tr("cos"));
    fill(m_coFiring, c.coFiring, tr("J"));
}
