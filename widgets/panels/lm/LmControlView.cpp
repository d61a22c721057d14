#include "LmControlView.h"

#include "LmControlPlot.h"
#include "common/BackgroundJob.h"
#include "common/InputError.h"
#include "common/SpinBoxes.h"
#include "lm/LanguageModel.h"
#include "lm/TextCorpus.h"

#include <nlohmann/json.hpp>

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStyle>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

#include <cmath>
#include <map>

using featurescope::LmControlResult;

namespace {

// Table columns before and after the proxies.
enum { ArmColumn, CeCleanColumn, CeScoreColumn, FirstProxyColumn };

QString formatted(const nlohmann::json& v)
{
    return v.is_number() ? QString::number(v.get<double>(), 'g', 3) : QStringLiteral("–");
}

} // namespace

const std::vector<LmControlView::Proxy>& LmControlView::proxies()
{
    // Tooltips from core's descriptions, so the tab, the command line's help and the code say the same.
    static const std::vector<Proxy> list = [] {
        const std::map<std::string, std::pair<QString, QString>> titles = {
            {"token_explained_variance", {tr("token EV"), tr("token\nEV")}},
            {"distinct_top_tokens", {tr("distinct top"), tr("distinct\ntop tokens")}},
            {"logit_concentration", {tr("logit conc."), tr("logit\nconcentration")}},
            {"mean_density", {tr("density"), tr("mean\ndensity")}},
            {"dead_fraction", {tr("dead"), tr("dead\nfraction")}}};
        std::vector<Proxy> out;
        for (const auto& d : featurescope::InterpretabilityProxies::descriptions()) {
            const auto& [column, label] = titles.at(d.key);
            // Rich text, so that Qt wraps the long lines.
            const QString tip = QString::fromStdString(d.key + ": " + d.text).toHtmlEscaped();
            out.push_back({d.key, column, label, QStringLiteral("<p>%1</p>").arg(tip)});
        }
        return out;
    }();
    return list;
}

QString LmControlView::armLabel(const std::string& arm)
{
    if (arm == "shuffle")
        return tr("shuffled");
    if (arm == "reinit")
        return tr("re-initialised");
    return QString::fromStdString(arm);
}

QString LmControlView::explanation()
{
    return tr("<p><b>Reading the control.</b> The same SAE recipe is trained on the hook of the model as trained and of "
              "three randomized copies: <i>shuffled</i> (each weight matrix's entries permuted), <i>re-initialised</i> "
              "(each matrix redrawn with its own mean and spread) and <i>untrained</i> (GPT-2's initialisation). Every "
              "number is measured on held-out text, the corpus's last fifth.</p>"
              "<p><b>CE score</b> (ce_loss_score): how much of the next-token loss the SAE keeps when spliced in, 1 = nothing lost, "
              "0 = as bad as deleting the activation. A randomized model predicts little to begin with (see CE clean).</p>"
              "<p><b>token EV</b> (token_explained_variance): the share of a feature's activation variance the current "
              "token alone explains. Higher = more token-like features; random transformers' features tend to be token "
              "detectors, so higher is not better: compare the arms.</p>"
              "<p><b>distinct top tokens</b>: different tokens at the strongest positions of a feature's top 10 "
              "examples; 1 = a single-token feature, higher = features that fire on context more than on one token.</p>"
              "<p><b>logit concentration</b>: the share of a feature's squared direct logit effects in its 10 largest; "
              "higher = the feature pushes a few specific next tokens (absent when the hook has no direct path to the "
              "logits).</p>"
              "<p><b>mean density</b>: how often a live feature fires; <b>dead fraction</b>: features that never fire "
              "on the held-out text. Both describe the dictionary's health rather than interpretability.</p>"
              "<p>The bars divide each proxy by its largest value over the four arms. These are measured stand-ins, "
              "not judgements: Towards Monosemanticity judged interpretability with human and model raters, which "
              "featurescope does not do.</p>");
}

LmControlView::LmControlView(QWidget* parent) : QWidget(parent)
{
    m_job = new BackgroundJob(tr("Randomized-transformer control"), this);
    m_run = new QPushButton(tr("Run control"), this);
    m_run->setObjectName(QStringLiteral("lmControlRun"));
    m_run->setToolTip(tr("Train an SAE on the hook of the model and of its shuffled, re-initialised and untrained "
                         "copies, then compare them on held-out text (model, corpus and hook from the form above)"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setToolTip(tr("Stop the control; results shown earlier stay"));
    m_cancel->setEnabled(false);
    m_tokens = makeSpinBox(this, 1024, 4'000'000, 32768,
                       tr("Positions harvested from each model to train its SAE (whole windows)"));
    m_latents = makeSpinBox(this, 16, 16384, 512, tr("Features (d_sae) of every SAE"));
    m_steps = makeSpinBox(this, 10, 1'000'000, 600, tr("Training steps of every SAE (batches of 512 positions)"));
    m_seed = makeSpinBox(this, 0, 1'000'000, 1, tr("Seed of the randomized copies"));
    m_tokens->setSingleStep(4096);
    m_latents->setSingleStep(64);
    m_steps->setSingleStep(100);
    m_keepEmbeddings = new QCheckBox(tr("Keep embeddings"), this);
    m_keepEmbeddings->setToolTip(tr("Randomize only the blocks: the token and position embeddings stay trained in "
                                    "every control"));
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(12);
    m_progress->setToolTip(tr("Progress over the four arms"));
    m_status = new QLabel(tr("Not run yet."), this);
    m_status->setWordWrap(true);
    m_status->setToolTip(tr("What the control is doing, or what the results shown were measured on"));

    auto* controls = new QHBoxLayout;
    controls->addWidget(m_run);
    controls->addWidget(m_cancel);
    const std::pair<QString, QWidget*> labelled[] = {
        {tr("Tokens"), m_tokens}, {tr("Features"), m_latents}, {tr("Steps"), m_steps}, {tr("Seed"), m_seed}};
    for (const auto& [text, widget] : labelled) {
        auto* label = new QLabel(text, this);
        label->setToolTip(widget->toolTip());
        label->setBuddy(widget);
        controls->addWidget(label);
        controls->addWidget(widget);
    }
    controls->addWidget(m_keepEmbeddings);
    controls->addStretch(1);

    m_table = new QTableWidget(0, FirstProxyColumn + int(proxies().size()) + 1, this);
    m_table->setObjectName(QStringLiteral("lmControlTable"));
    QStringList headers = {tr("arm"), tr("CE clean"), tr("CE score")};
    for (const Proxy& proxy : proxies())
        headers << proxy.column;
    headers << tr("L0");
    m_table->setHorizontalHeaderLabels(headers);
    for (int c = 0; c < int(proxies().size()); ++c)
        m_table->horizontalHeaderItem(FirstProxyColumn + c)->setToolTip(proxies()[std::size_t(c)].tip);
    m_table->verticalHeader()->setVisible(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setToolTip(tr("One row per arm, measured on held-out text; hover a header for what it means"));
    m_table->horizontalHeaderItem(CeCleanColumn)->setToolTip(tr("Next-token loss of the model itself (nats)"));
    m_table->horizontalHeaderItem(CeScoreColumn)->setToolTip(
        tr("ce_loss_score = (CE ablated − CE with the SAE) / (CE ablated − CE clean): 1 = the SAE loses nothing"));
    m_table->horizontalHeaderItem(m_table->columnCount() - 1)->setToolTip(tr("Mean active features per position"));
    // Four rows, a header and room for a horizontal scroll bar: the table needs no more height, the plot takes the rest.
    m_table->verticalHeader()->setDefaultSectionSize(22);
    m_table->setFixedHeight(m_table->horizontalHeader()->sizeHint().height() + 4 * 22 + 2 * m_table->frameWidth() +
                            m_table->style()->pixelMetric(QStyle::PM_ScrollBarExtent) + 2);
    m_plot = new LmControlPlot(this);
    m_plot->setObjectName(QStringLiteral("lmControlPlot"));
    m_plot->setToolTip(tr("Each proxy divided by its largest value over the four arms; hover a bar for its value"));

    auto* text = new QLabel(explanation(), this);
    text->setWordWrap(true);
    text->setTextFormat(Qt::RichText);
    text->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    text->setToolTip(tr("Which way each proxy points"));
    auto* textScroll = new QScrollArea(this);
    textScroll->setWidget(text);
    textScroll->setWidgetResizable(true);
    textScroll->setFrameShape(QFrame::NoFrame);
    textScroll->setMinimumWidth(240);

    auto* results = new QWidget(this);
    auto* resultsLayout = new QVBoxLayout(results);
    resultsLayout->setContentsMargins(0, 0, 0, 0);
    resultsLayout->addWidget(m_table);
    resultsLayout->addWidget(m_plot, 1);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(results);
    splitter->addWidget(textScroll);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(controls);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(splitter, 1);

    connect(m_run, &QPushButton::clicked, this, &LmControlView::runRequested);
    connect(m_cancel, &QPushButton::clicked, this, &LmControlView::cancel);
    connect(m_job, &BackgroundJob::progress, this, [this](double fraction, const QString& message) {
        m_progress->setValue(int(std::lround(1000.0 * fraction)));
        m_status->setText(message);
        Q_EMIT workProgress(fraction, message);
    });
    connect(m_job, &BackgroundJob::finished, this, [this](BackgroundJob::Outcome outcome, const QString& message) {
        setRunning(false);
        if (outcome == BackgroundJob::Outcome::Failed)
            m_status->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(message.toHtmlEscaped()));
        else if (outcome == BackgroundJob::Outcome::Cancelled)
            m_status->setText(m_results.empty() ? tr("Control cancelled.")
                                                : tr("Control cancelled; the results shown are the earlier run's."));
        Q_EMIT workFinished(m_status->text());
    });
    showResults();
}

LmControlView::~LmControlView() { m_job->abandon(); }

void LmControlView::setRunning(bool running)
{
    m_run->setEnabled(!running);
    m_cancel->setEnabled(running);
    if (!running)
        m_progress->setValue(0);
}

void LmControlView::start(const LmDashboardData::Request& request)
{
    QString hook = request.hook;
    if (hook.isEmpty())
        hook = LmDashboardData::hookNameOf(request.saeDir);
    if (hook.isEmpty())
        hook = LmDashboardData::defaultHook();
    featurescope::LmControlSettings settings;
    settings.hook = hook.toStdString();
    settings.context = request.context;
    settings.tokens = std::uint64_t(m_tokens->value());
    settings.sae.latentDim = m_latents->value();
    settings.sae.normalizeInputs = true; // the default model's SAE recipe
    settings.training.steps = m_steps->value();
    settings.training.batch = 512;
    settings.training.threads = std::max(1, QThread::idealThreadCount());
    const std::uint64_t seed = std::uint64_t(m_seed->value());
    const bool keep = m_keepEmbeddings->isChecked();
    const QString modelDir = request.modelDir, corpus = request.corpusPath;
    const QString source = tr("%1 at %2 on %3").arg(modelDir, hook, corpus);
    setRunning(true);
    m_status->setText(tr("Starting…"));
    Q_EMIT workStarted(tr("Running the randomized-transformer control"));
    m_job->start([this, settings, seed, keep, modelDir, corpus, source](const featurescope::ProgressReporter& progress) {
        if (modelDir.isEmpty())
            throw featurescope::InputError("no model folder: choose one in the form above (or use the default model)");
        progress.report(0.0, "Loading the model and the corpus");
        featurescope::LmControlSettings s = settings;
        auto lm = std::make_shared<const featurescope::LanguageModel>(featurescope::LanguageModel::load(modelDir.toStdString()));
        if (s.context <= 0)
            s.context = std::min(lm->model().config().positions, 128);
        const std::string text = featurescope::TextCorpus::load(corpus.toStdString()).text();
        const featurescope::LmControlExperiment experiment(lm, text, s);
        std::vector<LmControlResult> results = experiment.runAll(seed, keep, &progress);
        m_job->deliver([this, results = std::move(results), source] { setResults(results, source); });
    });
}

void LmControlView::cancel() { m_job->cancel(); }

bool LmControlView::isRunning() const { return m_job->isRunning(); }

void LmControlView::waitForFinished() { m_job->waitForFinished(); }

void LmControlView::setResults(const std::vector<LmControlResult>& results, const QString& source)
{
    m_results = results;
    m_source = source;
    showResults();
}

void LmControlView::showResults()
{
    m_table->setRowCount(int(m_results.size()));
    QStringList arms, labels;
    for (const Proxy& proxy : proxies())
        labels << proxy.label;
    std::vector<std::vector<double>> values;
    double seconds = 0.0;
    for (int row = 0; row < int(m_results.size()); ++row) {
        const LmControlResult& r = m_results[std::size_t(row)];
        const nlohmann::json j = r.toJson();
        const QString arm = armLabel(r.arm) + (r.keepEmbeddings ? tr(" (embeddings kept)") : QString());
        arms << arm;
        QStringList cells = {arm, formatted(j["ce_clean"]), formatted(j["ce_loss_score"])};
        std::vector<double> row_values;
        for (const Proxy& proxy : proxies()) {
            const nlohmann::json& v = j["proxies"][proxy.key];
            cells << formatted(v);
            row_values.push_back(v.is_number() ? v.get<double>() : -1.0);
        }
        cells << formatted(j["l0"]);
        values.push_back(std::move(row_values));
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (c > ArmColumn)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(row, c, item);
        }
        seconds += r.seconds;
    }
    if (m_results.empty())
        m_plot->clear(tr("Run the control to compare the four arms"));
    else
        m_plot->setValues(arms, labels, values);
    if (!m_results.empty())
        m_status->setText(tr("%1 arms on %2, %3 s").arg(m_results.size()).arg(m_source).arg(seconds, 0, 'f', 1));
}

// ---- sessions ---------------------------------------------------------------------------------------------------

nlohmann::json LmControlView::saveState() const
{
    nlohmann::json results = nlohmann::json::array();
    for (const LmControlResult& r : m_results)
        results.push_back(r.toJson());
    return {{"tokens", m_tokens->value()},  {"latents", m_latents->value()},
            {"steps", m_steps->value()},    {"seed", m_seed->value()},
            {"keep_embeddings", m_keepEmbeddings->isChecked()}, {"source", m_source.toStdString()},
            {"results", results}};
}

LmControlView::State LmControlView::readState(const nlohmann::json& j)
{
    using featurescope::InputError;
    const std::string where = "features panel state: lm.control";
    State state;
    if (j.is_null())
        return state;
    if (!j.is_object())
        throw InputError(where + " is not an object");
    auto integer = [&](const char* key, int low, int high, int& out) {
        if (const auto it = j.find(key); it != j.end()) {
            if (!it->is_number_integer() || it->get<long long>() < low || it->get<long long>() > high)
                throw InputError(where + "." + key + " is not an integer from " + std::to_string(low) + " to " +
                                 std::to_string(high));
            out = it->get<int>();
        }
    };
    integer("tokens", 1024, 4'000'000, state.tokens);
    integer("latents", 16, 16384, state.latents);
    integer("steps", 10, 1'000'000, state.steps);
    integer("seed", 0, 1'000'000, state.seed);
    if (const auto it = j.find("keep_embeddings"); it != j.end()) {
        if (!it->is_boolean())
            throw InputError(where + ".keep_embeddings is not true or false");
        state.keepEmbeddings = it->get<bool>();
    }
    if (const auto it = j.find("source"); it != j.end()) {
        if (!it->is_string() || it->get<std::string>().size() > 16384)
            throw InputError(where + ".source is not a short string");
        state.source = QString::fromStdString(it->get<std::string>());
    }
    if (const auto it = j.find("results"); it != j.end()) {
        if (!it->is_array() || it->size() > 16)
            throw InputError(where + ".results is not a list of at most 16 results");
        for (std::size_t i = 0; i < it->size(); ++i) {
            try {
                state.results.push_back(LmControlResult::fromJson((*it)[i]));
            } catch (const InputError& error) {
                throw InputError(where + ".results[" + std::to_string(i) + "]: " + error.what());
            }
        }
    }
    return state;
}

void LmControlView::restoreState(const State& state)
{
    m_tokens->setValue(state.tokens);
    m_latents->setValue(state.latents);
    m_steps->setValue(state.steps);
    m_seed->setValue(state.seed);
    m_keepEmbeddings->setChecked(state.keepEmbeddings);
    setResults(state.results, state.source);
    if (state.results.empty())
        m_status->setText(tr("Not run yet."));
}
