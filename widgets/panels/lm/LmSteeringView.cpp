#include "LmSteeringView.h"

#include "LmDashboardData.h"
#include "common/BackgroundJob.h"
#include "lm/GptGenerator.h"
#include "lm/GptHooks.h"
#include "lm/LanguageModel.h"
#include "lmfeatures/FeatureSteering.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTextEdit>
#include <QVBoxLayout>

LmSteeringView::LmSteeringView(QWidget* parent) : QWidget(parent)
{
    m_job = new BackgroundJob(tr("Generating steered text"), this);
    m_prompt = new QLineEdit(QStringLiteral("The meaning of life is"), this);
    m_prompt->setObjectName(QStringLiteral("lmSteerPrompt"));
    m_prompt->setToolTip(tr("The text both generations continue"));
    m_feature = new QSpinBox(this);
    m_feature->setObjectName(QStringLiteral("lmSteerFeature"));
    m_feature->setRange(0, 0);
    m_feature->setToolTip(tr("The SAE feature to steer with (follows the selected feature)"));
    m_strength = new QDoubleSpinBox(this);
    m_strength->setObjectName(QStringLiteral("lmSteerStrength"));
    m_strength->setRange(-10000.0, 10000.0);
    m_strength->setDecimals(2);
    m_strength->setValue(10.0);
    m_strength->setToolTip(tr("Added: strength × the feature's decoder direction at every position and step. "
                              "Clamped: the feature's code held at this value"));
    m_clamp = new QCheckBox(tr("Clamp"), this);
    m_clamp->setToolTip(tr("Replace the feature's own contribution so its code equals the strength, instead of adding"));
    m_seed = new QSpinBox(this);
    m_seed->setRange(0, 1'000'000);
    m_seed->setToolTip(tr("Sampling seed; both texts use it"));
    m_tokens = new QSpinBox(this);
    m_tokens->setRange(1, 1000);
    m_tokens->setValue(60);
    m_tokens->setToolTip(tr("Tokens to generate"));
    m_temperature = new QDoubleSpinBox(this);
    m_temperature->setRange(0.0, 5.0);
    m_temperature->setSingleStep(0.1);
    m_temperature->setValue(0.7);
    m_temperature->setToolTip(tr("0: greedy; above 0 samples with the seed"));
    m_generate = new QPushButton(tr("Generate"), this);
    m_generate->setObjectName(QStringLiteral("lmGenerate"));
    m_generate->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    m_generate->setToolTip(tr("Generate the steered and the unsteered continuation (Ctrl+G)"));
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("color: palette(mid);"));

    auto* controls = new QGridLayout;
    controls->addWidget(new QLabel(tr("Prompt"), this), 0, 0);
    controls->addWidget(m_prompt, 0, 1, 1, 9);
    int c = 0;
    auto add = [&](const QString& label, QWidget* w) {
        if (!label.isEmpty())
            controls->addWidget(new QLabel(label, this), 1, c++);
        controls->addWidget(w, 1, c++);
    };
    add(tr("Feature"), m_feature);
    add(tr("Strength"), m_strength);
    add(QString(), m_clamp);
    add(tr("Seed"), m_seed);
    add(tr("Tokens"), m_tokens);
    controls->addWidget(new QLabel(tr("Temp."), this), 2, 0);
    controls->addWidget(m_temperature, 2, 1);
    controls->addWidget(m_generate, 2, 2, 1, 2);
    controls->setColumnStretch(9, 1);

    m_steeredTitle = new QLabel(tr("<b>Steered</b>"), this);
    m_steered = new QTextEdit(this);
    m_steered->setObjectName(QStringLiteral("lmSteered"));
    m_unsteered = new QTextEdit(this);
    m_unsteered->setObjectName(QStringLiteral("lmUnsteered"));
    for (QTextEdit* edit : {m_steered, m_unsteered}) {
        edit->setReadOnly(true);
        QFont larger = edit->font();
        if (larger.pointSizeF() > 0) { // the texts are what this figure is about
            larger.setPointSizeF(larger.pointSizeF() * 1.25);
            edit->setFont(larger);
        }
        edit->setToolTip(tr("The prompt (grey) and its continuation"));
    }
    auto* texts = new QGridLayout;
    texts->addWidget(m_steeredTitle, 0, 0);
    texts->addWidget(new QLabel(tr("<b>Unsteered</b> (same seed)"), this), 0, 1);
    texts->addWidget(m_steered, 1, 0);
    texts->addWidget(m_unsteered, 1, 1);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(controls);
    layout->addWidget(m_message);
    layout->addLayout(texts, 1);

    connect(m_generate, &QPushButton::clicked, this, &LmSteeringView::generate);
    connect(m_prompt, &QLineEdit::returnPressed, this, &LmSteeringView::generate);
    connect(m_job, &BackgroundJob::finished, this, [this](BackgroundJob::Outcome outcome, const QString& message) {
        m_generate->setEnabled(m_data != nullptr);
        if (outcome == BackgroundJob::Outcome::Failed)
            m_message->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(message.toHtmlEscaped()));
        else if (outcome == BackgroundJob::Outcome::Cancelled)
            m_message->setText(tr("Generation cancelled."));
    });
    setData(nullptr);
}

LmSteeringView::~LmSteeringView() { m_job->abandon(); }

void LmSteeringView::setData(std::shared_ptr<const LmDashboardData> data)
{
    m_data = std::move(data);
    m_feature->setRange(0, m_data ? std::max(0, m_data->features() - 1) : 0);
    m_generate->setEnabled(m_data != nullptr && !m_job->isRunning());
    m_message->setText(m_data ? tr("Steering at %1.").arg(QString::fromStdString(m_data->hook().name()))
                              : tr("Scan first: steering uses the scanned model and SAE."));
}

void LmSteeringView::setFeature(int feature) { m_feature->setValue(feature); }
int LmSteeringView::feature() const { return m_feature->value(); }
void LmSteeringView::setStrength(double strength) { m_strength->setValue(strength); }
void LmSteeringView::setClamp(bool clamp) { m_clamp->setChecked(clamp); }
void LmSteeringView::setSeed(int seed) { m_seed->setValue(seed); }
void LmSteeringView::setPrompt(const QString& prompt) { m_prompt->setText(prompt); }
QString LmSteeringView::prompt() const { return m_prompt->text(); }
double LmSteeringView::strength() const { return m_strength->value(); }
bool LmSteeringView::clamp() const { return m_clamp->isChecked(); }
int LmSteeringView::seed() const { return m_seed->value(); }

LmSteeringView* LmSteeringView::copy() const
{
    auto* other = new LmSteeringView;
    other->setData(m_data);
    other->m_prompt->setText(m_prompt->text());
    other->m_feature->setValue(m_feature->value());
    other->m_strength->setValue(m_strength->value());
    other->m_clamp->setChecked(m_clamp->isChecked());
    other->m_seed->setValue(m_seed->value());
    other->m_tokens->setValue(m_tokens->value());
    other->m_temperature->setValue(m_temperature->value());
    other->m_promptUsed = m_promptUsed;
    other->m_steeredText = m_steeredText;
    other->m_unsteeredText = m_unsteeredText;
    other->m_steeredTitle->setText(m_steeredTitle->text());
    other->m_message->setText(m_message->text());
    other->showTexts();
    return other;
}

bool LmSteeringView::isRunning() const { return m_job->isRunning(); }
void LmSteeringView::waitForFinished() { m_job->waitForFinished(); }
QString LmSteeringView::message() const { return m_message->text(); }

void LmSteeringView::generate()
{
    if (!m_data || m_job->isRunning())
        return;
    const std::shared_ptr<const LmDashboardData> data = m_data;
    const int feature = m_feature->value();
    const float strength = float(m_strength->value());
    const bool clamp = m_clamp->isChecked();
    featurescope::GptSampling sampling;
    sampling.temperature = m_temperature->value();
    sampling.seed = std::uint64_t(m_seed->value());
    const int count = m_tokens->value();
    m_promptUsed = m_prompt->text();
    const std::string prompt = m_promptUsed.toStdString();
    m_generate->setEnabled(false);
    m_message->setText(tr("Generating…"));
    m_steeredTitle->setText(tr("<b>Steered</b>: feature %1 %2 %3").arg(feature).arg(clamp ? tr("clamped at") : tr("added ×")).arg(double(strength)));
    m_job->start([this, data, feature, strength, clamp, sampling, count, prompt](const featurescope::ProgressReporter& progress) {
        const featurescope::LanguageModel& lm = data->model();
        const std::vector<int> ids = lm.tokenizer().encode(prompt);
        featurescope::GptHooks hooks;
        data->dashboard().processing().applyTo(hooks);
        featurescope::FeatureSteering(data->sae(), feature, strength, clamp).install(hooks, data->hook());
        const std::vector<int> plain = featurescope::GptGenerator::generate(lm.model(), ids, count, sampling);
        progress.report(0.5, "Generating the steered text");
        const std::vector<int> steered = featurescope::GptGenerator::generate(lm.model(), ids, count, sampling, &hooks);
        const QString plainText = QString::fromStdString(lm.tokenizer().decode(plain));
        const QString steeredText = QString::fromStdString(lm.tokenizer().decode(steered));
        m_job->deliver([this, plainText, steeredText] {
            m_unsteeredText = plainText;
            m_steeredText = steeredText;
            m_message->setText(m_steeredText == m_unsteeredText ? tr("The two texts are identical.")
                                                                : tr("The texts differ."));
            showTexts();
        });
    });
}

void LmSteeringView::showTexts()
{
    auto html = [this](const QString& continuation) {
        return QStringLiteral("<span style='color:gray'>%1</span>%2")
            .arg(m_promptUsed.toHtmlEscaped(), continuation.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    };
    m_steered->setHtml(html(m_steeredText));
    m_unsteered->setHtml(html(m_unsteeredText));
}
