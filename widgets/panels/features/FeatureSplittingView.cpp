#include "FeatureSplittingView.h"

#include "FeatureSplittingPlot.h"
#include "StudyJobBar.h"
#include "StudyLayout.h"

#include "common/InputError.h"
#include "common/SpinBoxes.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

using featurescope::InputError;
using featurescope::SaeExperimentConfig;
using featurescope::SaeSplittingSpec;

FeatureSplittingView::FeatureSplittingView(QWidget* parent) : QWidget(parent)
{
    m_latents = makeSpinBox(this, 2, 8192, 32,
                            tr("Latents of the narrowest (1×) SAE; pick fewer than the source's true features to see "
                               "features split"));
    m_latents->setSingleStep(16);
    m_steps = makeSpinBox(this, 10, 1'000'000, 1500, tr("Training steps of every width"));
    m_steps->setSingleStep(250);
    m_widths = new QLineEdit(QStringLiteral("1,2,4,8"), this);
    m_widths->setToolTip(tr("Width multipliers, increasing from 1: each SAE is that many times the 1× width"));
    m_zoom = new QCheckBox(tr("Zoom to the family"), this);
    m_zoom->setToolTip(tr("Show only the highlighted latent's family across the widths"));
    QGridLayout* settings = StudyLayout::labelledGrid(
        this, {{tr("1× latents"), m_latents}, {tr("Steps"), m_steps}, {tr("Widths"), m_widths}});
    settings->addWidget(m_zoom, settings->rowCount(), 0, 1, 2);
    m_bar = new StudyJobBar(tr("Feature splitting"), tr("Train widths"),
                            tr("Train the panel's recipe at every width on the panel's source (same data, same seed) "
                               "and link each latent to its closest decoder direction one width narrower"),
                            this);
    m_family = new QLabel(tr("Click a dot to follow a latent's family."), this);
    m_family->setWordWrap(true);
    m_family->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_family->setToolTip(tr("The highlighted latent's descendants, width by width, with each link's decoder cosine"));

    m_plot = new FeatureSplittingPlot(this);
    m_plot->setObjectName(QStringLiteral("featureSplittingPlot"));
    m_plot->setToolTip(tr("One row per width; edges join each latent to its parent, coloured by decoder cosine. "
                          "Click a dot to highlight its family"));
    StudyLayout::arrange(this, {settings, m_bar, m_family}, m_plot);

    connect(m_bar, &StudyJobBar::runRequested, this, qOverload<>(&FeatureSplittingView::start));
    connect(m_zoom, &QCheckBox::toggled, m_plot, &FeatureSplittingPlot::setZoomToFamily);
    connect(m_plot, &FeatureSplittingPlot::latentClicked, this, &FeatureSplittingView::showFamily);
}

SaeSplittingSpec FeatureSplittingView::spec() const
{
    SaeSplittingSpec spec;
    spec.base = m_baseConfig ? m_baseConfig() : SaeExperimentConfig::withDefaults(SaeExperimentConfig::Source::Synthetic);
    spec.base.sae.latentDim = m_latents->value();
    spec.base.sae.k = std::min(spec.base.sae.k, spec.base.sae.latentDim);
    spec.base.training.steps = m_steps->value();
    spec.multipliers.clear();
    for (const QString& part : m_widths->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const int m = part.trimmed().toInt(&ok);
        if (!ok)
            throw InputError("widths: '" + part.trimmed().toStdString() + "' is not a whole number");
        spec.multipliers.push_back(m);
    }
    spec.validate();
    return spec;
}

void FeatureSplittingView::start()
{
    try {
        start(spec());
    } catch (const InputError& error) {
        m_bar->setError(QString::fromStdString(error.what()));
    }
}

void FeatureSplittingView::start(const SaeSplittingSpec& spec)
{
    m_bar->start(tr("Training %n SAE width(s)", nullptr, int(spec.multipliers.size())),
                 [this, spec](const featurescope::ProgressReporter& progress) {
                     auto result = featurescope::SaeFeatureSplitting::run(spec, progress);
                     m_bar->deliver([this, spec, result = std::move(result)] { setResult(result, captionOf(spec, result)); });
                 });
}

FeatureSplittingView::~FeatureSplittingView() { m_bar->abandon(); }

void FeatureSplittingView::cancel() { m_bar->cancel(); }
bool FeatureSplittingView::isRunning() const { return m_bar->isRunning(); }
void FeatureSplittingView::waitForFinished() { m_bar->waitForFinished(); }

void FeatureSplittingView::showFamily(int width, int latent)
{
    if (width < 0 || latent < 0 || width >= int(m_result.widths.size())) {
        m_family->setText(tr("Click a dot to follow a latent's family."));
        return;
    }
    const auto family = m_result.family(width, latent);
    QStringList lines;
    lines << tr("<b>Latent %1 of the %2× SAE</b>").arg(latent).arg(m_result.widths[std::size_t(width)].multiplier);
    for (std::size_t w = std::size_t(width) + 1; w < family.size(); ++w) {
        QStringList members;
        for (int j : family[w]) {
            if (members.size() == 8) {
                members << tr("… (%1 in all)").arg(family[w].size());
                break;
            }
            members << QStringLiteral("%1 (%2)").arg(j).arg(m_result.widths[w].parentCosine[std::size_t(j)], 0, 'f', 2);
        }
        lines << tr("%1×: %2").arg(m_result.widths[w].multiplier).arg(members.isEmpty() ? tr("none") : members.join(QStringLiteral(", ")));
    }
    m_family->setText(lines.join(QStringLiteral("<br>")));
}

void FeatureSplittingView::setResult(const featurescope::SaeSplittingResult& result, const QString& caption)
{
    m_result = result;
    m_caption = caption;
    m_plot->setResult(m_result);
    showFamily(m_plot->selectedWidth(), m_plot->selectedLatent());
    m_bar->setStatus(caption);
}

QString FeatureSplittingView::caption() const { return hasResult() ? m_caption : tr("Feature splitting: not run yet"); }

QString FeatureSplittingView::captionOf(const SaeSplittingSpec& spec, const featurescope::SaeSplittingResult& result)
{
    QStringList widths;
    for (const auto& w : result.widths)
        widths << QString::number(w.latents);
    const SaeExperimentConfig& c = spec.base;
    return tr("Feature splitting on %1: SAE %2 at d_sae = %3, %4 steps, batch %5, seed %6; links by decoder cosine")
        .arg(QString::fromStdString(SaeExperimentConfig::sourceName(c.source)),
             QString::fromStdString(featurescope::saeVariantName(c.sae.variant)), widths.join(QStringLiteral(", ")))
        .arg(c.training.steps)
        .arg(c.training.batch)
        .arg(c.training.seed);
}
