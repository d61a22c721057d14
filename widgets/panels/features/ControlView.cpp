#include "ControlView.h"

#include "common/Theme.h"

#include "plots/FeaturePalette.h"
#include "plots/HistogramPlot.h"

#include <QHBoxLayout>
#include <QEvent>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <cmath>

using featurescope::ControlComparison;

namespace {

QColor trainedColour() { return FeaturePalette::featureColor(0); }
QColor shuffledColour() { return FeaturePalette::featureColor(1); }

QString fmt(double v, int decimals = 2) { return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("–"); }

double mean(const std::vector<double>& values)
{
    if (values.empty())
        return std::nan("");
    double sum = 0.0;
    for (double v : values)
        sum += v;
    return sum / double(values.size());
}

} // namespace

ControlView::ControlView(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    m_run = new QPushButton(tr("Run control"), this);
    m_run->setObjectName(QStringLiteral("featuresRunControl"));
    m_run->setToolTip(tr("Train the Fashion-MNIST MLP (cached), shuffle the entries of each of its weight matrices, "
                         "and train the SAE settings on the left on both hidden layers"));
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::RichText);
    m_message->setText(tr("The randomized-weights control of Towards Monosemanticity: the same SAE on the trained "
                          "network and on a copy with each weight matrix's entries shuffled. Uses the Fashion-MNIST "
                          "folder and the SAE settings on the left."));
    top->addWidget(m_run, 0, Qt::AlignTop);
    top->addWidget(m_message, 1);
    layout->addLayout(top);

    auto makePlot = [this](const QString& name, const QString& title, const QString& x, const QString& tip) {
        auto* plot = new HistogramPlot(this);
        plot->setObjectName(name);
        plot->setTitle(title);
        plot->setAxisLabels(x, tr("fraction of features"));
        plot->setIntegerCounts(false);
        plot->setToolTip(tip);
        plot->setEmptyText(tr("run the control"));
        return plot;
    };
    m_purity = makePlot(QStringLiteral("controlPurity"), tr("Label purity of top-20 examples"), tr("label purity"),
                        tr("1 − normalised entropy of the labels of each feature's 20 top examples; features with "
                           "fewer active examples are left out"));
    m_coherence = makePlot(QStringLiteral("controlCoherence"), tr("Coherence of top-20 inputs"),
                           tr("mean pairwise cosine"),
                           tr("Mean pairwise cosine similarity of each feature's 20 top images: similar-looking "
                              "inputs score high even when the feature means nothing"));
    m_density = makePlot(QStringLiteral("controlDensity"), tr("Feature density"), tr("log₁₀ density"),
                         tr("log10 of the fraction of inputs each feature is active on; dead features are counted in "
                            "the table, not drawn"));
    auto* plots = new QHBoxLayout;
    plots->addWidget(m_purity);
    plots->addWidget(m_coherence);
    plots->addWidget(m_density);
    layout->addLayout(plots, 1);

    m_table = new QLabel(this);
    m_table->setObjectName(QStringLiteral("controlTable"));
    m_table->setTextFormat(Qt::RichText);
    m_table->setToolTip(tr("Dictionary numbers of the two SAEs on the same 8192 test images"));
    m_reading = new QLabel(this);
    m_reading->setObjectName(QStringLiteral("controlReading"));
    m_reading->setWordWrap(true);
    m_reading->setToolTip(tr("Generated from the numbers above; the proxies are not a verdict on interpretability"));
    QFont font = m_reading->font();
    font.setPointSizeF(font.pointSizeF() * 1.1);
    m_reading->setFont(font);
    layout->addWidget(m_table);
    layout->addWidget(m_reading);
    connect(m_run, &QPushButton::clicked, this, &ControlView::runRequested);
}

void ControlView::setRunning(bool running) { m_run->setEnabled(!running); }

void ControlView::setMessage(const QString& text) { m_message->setText(text); }

QString ControlView::readingText() const { return m_reading->text(); }

void ControlView::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    // The table's colour keys follow the theme.
    if ((event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange) && m_comparison)
        setComparison(m_comparison);
}

void ControlView::setComparison(std::shared_ptr<const ControlComparison> comparison)
{
    m_comparison = std::move(comparison);
    if (!m_comparison) {
        for (auto* plot : {m_purity, m_coherence, m_density})
            plot->clear();
        m_table->clear();
        m_reading->clear();
        return;
    }
    const ControlComparison& c = *m_comparison;
    const auto& t = c.trained;
    const auto& s = c.shuffled;
    auto series = [&](const std::vector<double>& a, const std::vector<double>& b, const std::vector<double>& edges) {
        return std::vector<HistogramPlot::Series>{
            {tr("trained (n=%1)").arg(a.size()), trainedColour(), HistogramPlot::countValues(a, edges, true)},
            {tr("shuffled (n=%1)").arg(b.size()), shuffledColour(), HistogramPlot::countValues(b, edges, true)}};
    };
    const auto unitEdges = HistogramPlot::binEdges(0.0, 1.0, 20);
    m_purity->setHistogram(unitEdges, series(t.purities, s.purities, unitEdges));
    m_purity->setNote(tr("median %1 vs %2").arg(fmt(ControlComparison::median(t.purities)), fmt(ControlComparison::median(s.purities))));
    m_coherence->setHistogram(unitEdges, series(t.coherences, s.coherences, unitEdges));
    m_coherence->setNote(
        tr("median %1 vs %2").arg(fmt(ControlComparison::median(t.coherences)), fmt(ControlComparison::median(s.coherences))));
    auto logDensities = [](const std::vector<double>& d) {
        std::vector<double> out;
        for (double v : d)
            if (v > 0.0)
                out.push_back(std::log10(v));
        return out;
    };
    const auto densityEdges = HistogramPlot::binEdges(-4.0, 0.0, 24);
    m_density->setHistogram(densityEdges, series(logDensities(t.densities), logDensities(s.densities), densityEdges));
    m_density->setNote(tr("dead %1 % vs %2 %").arg(100.0 * t.metrics.deadFraction, 0, 'f', 0).arg(100.0 * s.metrics.deadFraction, 0, 'f', 0));

    auto row = [](const QString& name, const QString& a, const QString& b) {
        return QStringLiteral("<tr><td>%1</td><td align='right'>&nbsp;&nbsp;%2</td><td align='right'>&nbsp;&nbsp;%3</td></tr>")
            .arg(name, a, b);
    };
    QString html = QStringLiteral("<table cellspacing='0' cellpadding='1'>");
    // The headings are in the theme's text colour (a data colour as text read dark blue on dark grey); a square
    // in each side's histogram colour, as the current theme draws it, keys them to the plots.
    auto heading = [](const QColor& colour, const std::string& name) {
        return QStringLiteral("<th align='right'>&nbsp;&nbsp;<span style='color:%1'>&#9632;</span>&nbsp;%2</th>")
            .arg(Theme::dataColor(colour).name(), QString::fromStdString(name).toHtmlEscaped());
    };
    html += QStringLiteral("<tr><th></th>%1%2</tr>").arg(heading(trainedColour(), t.name), heading(shuffledColour(), s.name));
    html += row(tr("network test accuracy"), QStringLiteral("%1 %").arg(100.0 * t.accuracy, 0, 'f', 1),
                QStringLiteral("%1 %").arg(100.0 * s.accuracy, 0, 'f', 1));
    html += row(tr("L0 · variance explained"),
                QStringLiteral("%1 · %2 %").arg(t.metrics.l0, 0, 'f', 1).arg(100.0 * t.metrics.explainedVariance, 0, 'f', 1),
                QStringLiteral("%1 · %2 %").arg(s.metrics.l0, 0, 'f', 1).arg(100.0 * s.metrics.explainedVariance, 0, 'f', 1));
    html += row(tr("dead · dense features"),
                QStringLiteral("%1 % · %2 %").arg(100.0 * t.metrics.deadFraction, 0, 'f', 1).arg(100.0 * t.metrics.denseFraction, 0, 'f', 1),
                QStringLiteral("%1 % · %2 %").arg(100.0 * s.metrics.deadFraction, 0, 'f', 1).arg(100.0 * s.metrics.denseFraction, 0, 'f', 1));
    html += row(tr("mean · median purity"),
                QStringLiteral("%1 · %2").arg(fmt(mean(t.purities)), fmt(ControlComparison::median(t.purities))),
                QStringLiteral("%1 · %2").arg(fmt(mean(s.purities)), fmt(ControlComparison::median(s.purities))));
    html += row(tr("mean · median coherence"),
                QStringLiteral("%1 · %2").arg(fmt(mean(t.coherences)), fmt(ControlComparison::median(t.coherences))),
                QStringLiteral("%1 · %2").arg(fmt(mean(s.coherences)), fmt(ControlComparison::median(s.coherences))));
    html += QStringLiteral("</table>");
    m_table->setText(html);
    m_reading->setText(QString::fromStdString(c.reading()));
}

QString ControlView::caption(const featurescope::SaeExperimentConfig& c)
{
    return tr("Randomized control: the Fashion-MNIST MLP and its shuffled-weights copy, the same SAE on both\n"
              "SAE %1, d_sae = %2, %3 steps, batch %4, seed %5")
        .arg(QString::fromStdString(featurescope::saeVariantName(c.sae.variant)))
        .arg(c.sae.latentDim)
        .arg(c.training.steps)
        .arg(c.training.batch)
        .arg(c.training.seed);
}
