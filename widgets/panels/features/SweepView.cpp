#include "SweepView.h"

#include "StudyJobBar.h"
#include "StudyLayout.h"
#include "SweepParetoPlot.h"

#include "common/InputError.h"
#include "common/SpinBoxes.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

using featurescope::InputError;
using featurescope::SaeExperimentConfig;
using featurescope::SaeSweepSpec;
using featurescope::SaeVariant;

namespace {

struct RecipeDefault {
    SaeVariant variant;
    const char* name;
    const char* values; // for the synthetic source (d = 64); other sources may want others
    bool enabled;
};

// λ around each recipe's default on the synthetic source (tm2023 6e-3, 2024 2/d, jumprelu 1/d), k around 5.
const RecipeDefault kRecipes[] = {
    {SaeVariant::TM2023, "TM 2023", "0.001,0.002,0.005,0.01", true},
    {SaeVariant::Anthropic2024, "2024", "0.01,0.03,0.1", false},
    {SaeVariant::TopK, "TopK", "2,4,8,16", true},
    {SaeVariant::BatchTopK, "BatchTopK", "2,4,8,16", false},
    {SaeVariant::JumpReLU, "JumpReLU", "0.005,0.015,0.05", false},
};

} // namespace

SweepView::SweepView(QWidget* parent) : QWidget(parent)
{
    auto* recipes = new QGridLayout;
    recipes->setContentsMargins(0, 0, 0, 0);
    recipes->addWidget(new QLabel(tr("<b>Recipes</b>"), this), 0, 0);
    recipes->addWidget(new QLabel(tr("<b>λ or k values</b>"), this), 0, 1);
    int row = 1;
    for (const RecipeDefault& r : kRecipes) {
        auto* box = new QCheckBox(QString::fromUtf8(r.name), this);
        box->setChecked(r.enabled);
        const bool topK = r.variant == SaeVariant::TopK || r.variant == SaeVariant::BatchTopK;
        box->setToolTip(tr("Sweep the %1 recipe (one series of the plot)").arg(QString::fromUtf8(r.name)));
        auto* values = new QLineEdit(QString::fromLatin1(r.values), this);
        values->setToolTip(topK ? tr("Comma-separated k values: active latents per input")
                                : tr("Comma-separated sparsity coefficients λ (larger: sparser, worse reconstruction)"));
        recipes->addWidget(box, row, 0);
        recipes->addWidget(values, row, 1);
        m_recipes.push_back({r.variant, box, values});
        ++row;
    }
    m_seeds = makeSpinBox(this, 1, 20, 2, tr("Seeds per value: each point is their mean, the error bars one standard deviation"));
    m_steps = makeSpinBox(this, 10, 1'000'000, 1000, tr("Training steps of every SAE in the sweep"));
    m_steps->setSingleStep(250);
    m_latents = makeSpinBox(this, 2, 65536, 256, tr("Latents (d_sae) of every SAE in the sweep"));
    m_latents->setSingleStep(64);
    m_metric = new QComboBox(this);
    for (const auto& metric : SweepParetoPlot::metrics())
        m_metric->addItem(metric.label, QString::fromStdString(metric.key));
    m_metric->setToolTip(tr("What the vertical axis shows against L0 (MMCS and MCC need a source with true features)"));
    QGridLayout* settings = StudyLayout::labelledGrid(
        this, {{tr("Seeds"), m_seeds}, {tr("Steps"), m_steps}, {tr("Latents"), m_latents}, {tr("y axis"), m_metric}});
    m_bar = new StudyJobBar(tr("SAE sweep"), tr("Run sweep"),
                            tr("Train every checked recipe at each of its values and seeds on the panel's activation "
                               "source (the source settings on the left)"),
                            this);
    auto* note = new QLabel(tr("Each point: one value of λ or k, mean over the seeds. Filled: on the recipe's Pareto "
                               "front (no other value has both lower L0 and lower MSE)."),
                            this);
    note->setWordWrap(true);
    note->setToolTip(tr("How to read the sweep plot"));

    m_plot = new SweepParetoPlot(this);
    m_plot->setObjectName(QStringLiteral("sweepParetoPlot"));
    m_plot->setToolTip(tr("L0 against the chosen metric, one curve per recipe; hover a point for its numbers"));
    StudyLayout::arrange(this, {recipes, settings, m_bar, note}, m_plot);

    connect(m_bar, &StudyJobBar::runRequested, this, qOverload<>(&SweepView::start));
    connect(m_metric, &QComboBox::currentIndexChanged, this,
            [this] { m_plot->setMetric(m_metric->currentData().toString().toStdString()); });
}

std::vector<SaeSweepSpec> SweepView::specs() const
{
    SaeExperimentConfig base = m_baseConfig ? m_baseConfig() : SaeExperimentConfig::withDefaults(SaeExperimentConfig::Source::Synthetic);
    base.sae.latentDim = m_latents->value();
    base.training.steps = m_steps->value();
    std::vector<SaeSweepSpec> out;
    for (const RecipeRow& r : m_recipes) {
        if (!r.enabled->isChecked())
            continue;
        SaeSweepSpec spec;
        spec.name = r.enabled->text().toStdString();
        spec.base = base;
        spec.base.sae.variant = r.variant;
        spec.base.sae.l1 = SaeExperimentConfig::defaultL1(base.source, r.variant, base.inputDimension());
        spec.base.sae.k = std::min(spec.base.sae.k, spec.base.sae.latentDim);
        spec.seeds = m_seeds->value();
        for (const QString& part : r.values->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            bool ok = false;
            const double v = part.trimmed().toDouble(&ok);
            if (!ok)
                throw InputError(spec.name + ": '" + part.trimmed().toStdString() + "' is not a number");
            spec.values.push_back(v);
        }
        spec.validate();
        out.push_back(std::move(spec));
    }
    if (out.empty())
        throw InputError("check at least one recipe to sweep");
    return out;
}

void SweepView::start()
{
    try {
        start(specs());
    } catch (const InputError& error) {
        m_bar->setError(QString::fromStdString(error.what()));
    }
}

void SweepView::start(const std::vector<SaeSweepSpec>& specs)
{
    int runs = 0;
    for (const SaeSweepSpec& s : specs)
        runs += int(s.values.size()) * s.seeds;
    m_bar->start(tr("Sweeping %n SAE(s)", nullptr, runs), [this, specs](const featurescope::ProgressReporter& progress) {
        auto series = featurescope::SaeSweep::run(specs, progress, {}, [this](const auto& soFar) {
            m_bar->deliver([this, soFar] {
                m_results = soFar;
                m_plot->setSeries(soFar);
            });
        });
        m_bar->deliver([this, series = std::move(series)] { setResults(series); });
    });
}

void SweepView::setResults(const std::vector<featurescope::SaeSweepSeries>& results)
{
    m_results = results;
    m_plot->setSeries(results);
    m_bar->setStatus(caption());
}

SweepView::~SweepView() { m_bar->abandon(); }

void SweepView::cancel() { m_bar->cancel(); }
bool SweepView::isRunning() const { return m_bar->isRunning(); }
void SweepView::waitForFinished() { m_bar->waitForFinished(); }

QString SweepView::caption() const
{
    if (m_results.empty())
        return tr("SAE sweep: not run yet");
    const featurescope::SaeSweepSpec& s = m_results.front().spec;
    QStringList names;
    for (const auto& series : m_results)
        names << QString::fromStdString(series.spec.displayName());
    return tr("SAE sweep on %1: %2; d_sae = %3, %4 steps, batch %5, %6 seed(s) from %7")
        .arg(QString::fromStdString(SaeExperimentConfig::sourceName(s.base.source)), names.join(QStringLiteral(", ")))
        .arg(s.base.sae.latentDim)
        .arg(s.base.training.steps)
        .arg(s.base.training.batch)
        .arg(s.seeds)
        .arg(s.base.training.seed);
}
