#include "ToyControlsWidget.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

#include "common/SettingsReader.h"

#include <nlohmann/json.hpp>

#include <algorithm>

using featurescope::ToyModelConfig;
using featurescope::ToyModelKind;
using featurescope::TrainingConfig;
using featurescope::ToyPreset;

namespace {
QSpinBox* spin(QWidget* parent, int min, int max, const QString& tip)
{
    auto* s = new QSpinBox(parent);
    s->setRange(min, max);
    s->setToolTip(tip);
    s->setAccelerated(true);
    return s;
}
QDoubleSpinBox* dspin(QWidget* parent, double min, double max, int decimals, double step, const QString& tip)
{
    auto* s = new QDoubleSpinBox(parent);
    s->setRange(min, max);
    s->setDecimals(decimals);
    s->setSingleStep(step);
    s->setToolTip(tip);
    return s;
}
} // namespace

ToyControlsWidget::ToyControlsWidget(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);

    m_preset = new QComboBox(this);
    m_preset->setObjectName(QStringLiteral("presetCombo"));
    m_preset->setToolTip(tr("Start from one of the experiments of Toy Models of Superposition"));
    for (const auto& preset : ToyPreset::all())
        m_preset->addItem(QString::fromStdString(preset.name));
    // The longest preset name must not set the width of the whole controls column (the popup still shows it all).
    m_preset->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_preset->setMinimumContentsLength(20);
    m_presetDescription = new QLabel(this);
    m_presetDescription->setWordWrap(true);
    m_presetDescription->setStyleSheet(QStringLiteral("color: palette(mid);"));
    layout->addWidget(new QLabel(tr("<b>Preset</b>"), this));
    layout->addWidget(m_preset);
    layout->addWidget(m_presetDescription);

    auto* modelBox = new QGroupBox(tr("Model and data"), this);
    auto* modelForm = new QFormLayout(modelBox);
    m_features = spin(modelBox, 1, 5000, tr("n: the number of input features"));
    m_hidden = spin(modelBox, 1, 1000, tr("m: the number of hidden dimensions"));
    m_kind = new QComboBox(modelBox);
    m_kind->setToolTip(tr("linear: x' = WᵀWx + b\nReLU output: x' = ReLU(WᵀWx + b) (the paper's main model)\n"
                          "ReLU hidden: h = ReLU(Wx), x' = ReLU(Wᵀh + b)\nuntied |x|: computes |x| with two matrices"));
    m_kind->addItem(tr("ReLU output"), int(ToyModelKind::ReluOutput));
    m_kind->addItem(tr("Linear"), int(ToyModelKind::Linear));
    m_kind->addItem(tr("ReLU hidden"), int(ToyModelKind::ReluHidden));
    m_kind->addItem(tr("Untied |x|"), int(ToyModelKind::UntiedAbs));
    m_sweep = new QCheckBox(tr("Sweep sparsity across instances"), modelBox);
    m_sweep->setToolTip(tr("Train independent instances with feature probability p from 1 down to p min "
                           "(log-spaced), as in the paper's figures"));
    m_instances = spin(modelBox, 1, 256, tr("Number of instances (one sparsity each)"));
    m_probabilityMin = dspin(modelBox, 0.0001, 1.0, 4, 0.01, tr("The smallest feature probability 1 − S of the sweep"));
    m_probability = dspin(modelBox, 0.0001, 1.0, 4, 0.01, tr("Feature probability 1 − S: how often a feature is non-zero"));
    m_importanceDecay = dspin(modelBox, 0.01, 1.0, 3, 0.05, tr("Importance I_i = r^i (1 = uniform importance)"));
    modelForm->addRow(tr("Features n"), m_features);
    modelForm->addRow(tr("Hidden m"), m_hidden);
    modelForm->addRow(tr("Model"), m_kind);
    modelForm->addRow(m_sweep);
    modelForm->addRow(tr("Instances"), m_instances);
    modelForm->addRow(tr("p min"), m_probabilityMin);
    modelForm->addRow(tr("Probability p"), m_probability);
    modelForm->addRow(tr("Importance decay"), m_importanceDecay);
    layout->addWidget(modelBox);

    auto* trainBox = new QGroupBox(tr("Training"), this);
    auto* trainForm = new QFormLayout(trainBox);
    m_steps = spin(trainBox, 1, 10000000, tr("Adam steps (the paper's notebook uses 10 000)"));
    m_steps->setSingleStep(1000);
    m_batch = spin(trainBox, 1, 65536, tr("Samples per step; a fresh batch is drawn every step"));
    m_learningRate = dspin(trainBox, 1e-6, 1.0, 6, 1e-4, tr("Learning rate (constant)"));
    m_optimizer = new QComboBox(trainBox);
    m_optimizer->addItems({tr("Adam"), tr("AdamW (decay 0.01)")});
    m_optimizer->setToolTip(tr("AdamW adds decoupled weight decay 0.01"));
    m_seed = spin(trainBox, 0, 1000000000, tr("Random seed: the same seed gives the same numbers"));
    m_restarts = spin(trainBox, 1, 50, tr("Best of k restarts per instance (2-D models can get stuck); "
                                          "with k > 1 training is not shown live"));
    m_threads = spin(trainBox, 1, 64, tr("Worker threads: instances train in parallel"));
    trainForm->addRow(tr("Steps"), m_steps);
    trainForm->addRow(tr("Batch"), m_batch);
    trainForm->addRow(tr("Learning rate"), m_learningRate);
    trainForm->addRow(tr("Optimizer"), m_optimizer);
    trainForm->addRow(tr("Seed"), m_seed);
    trainForm->addRow(tr("Restarts"), m_restarts);
    trainForm->addRow(tr("Threads"), m_threads);
    layout->addWidget(trainBox);

    auto* buttons = new QHBoxLayout;
    m_train = new QPushButton(tr("Train"), this);
    m_train->setObjectName(QStringLiteral("toyTrain"));
    m_train->setToolTip(tr("Train from scratch with these parameters (Ctrl+Return)"));
    m_train->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_pause = new QPushButton(tr("Pause"), this);
    m_pause->setToolTip(tr("Pause or resume training (Ctrl+P)"));
    m_pause->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setToolTip(tr("Stop training and keep the weights so far (Ctrl+.)"));
    m_stop->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    m_reset = new QPushButton(tr("Reset"), this);
    m_reset->setToolTip(tr("Restore the preset's parameters and retrain (Ctrl+R)"));
    m_reset->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    for (auto* b : {m_train, m_pause, m_stop, m_reset})
        buttons->addWidget(b);
    layout->addLayout(buttons);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setObjectName(QStringLiteral("trainingStatus"));
    layout->addWidget(m_status);
    layout->addStretch();

    connect(m_preset, &QComboBox::currentIndexChanged, this, [this](int index) {
        const auto& presets = ToyPreset::all();
        if (index >= 0 && std::size_t(index) < presets.size()) {
            applyPreset(presets[std::size_t(index)]);
            Q_EMIT presetChosen();
        }
    });
    auto emitChanged = [this] {
        if (!m_applying)
            Q_EMIT changed();
    };
    for (auto* s : {m_features, m_hidden, m_instances, m_steps, m_batch, m_seed, m_restarts, m_threads})
        connect(s, &QSpinBox::valueChanged, this, emitChanged);
    for (auto* s : {m_probabilityMin, m_probability, m_importanceDecay, m_learningRate})
        connect(s, &QDoubleSpinBox::valueChanged, this, emitChanged);
    connect(m_kind, &QComboBox::currentIndexChanged, this, emitChanged);
    connect(m_optimizer, &QComboBox::currentIndexChanged, this, emitChanged);
    connect(m_sweep, &QCheckBox::toggled, this, [this, emitChanged] {
        updateProbabilityMode();
        emitChanged();
    });
    connect(m_train, &QPushButton::clicked, this, &ToyControlsWidget::trainRequested);
    connect(m_pause, &QPushButton::clicked, this, [this] {
        if (m_state == State::Running)
            Q_EMIT pauseRequested();
        else if (m_state == State::Paused)
            Q_EMIT resumeRequested();
    });
    connect(m_stop, &QPushButton::clicked, this, &ToyControlsWidget::stopRequested);
    connect(m_reset, &QPushButton::clicked, this, [this] {
        applyPreset(presetAt(m_preset->currentIndex()));
        Q_EMIT resetRequested();
    });

    m_batch->setValue(1024);
    m_seed->setValue(0);
    m_restarts->setValue(1);
    m_threads->setValue(std::max(1, QThread::idealThreadCount()));
    applyPreset(ToyPreset::all().front());
    setState(State::Idle);
}

void ToyControlsWidget::applyPreset(const ToyPreset& preset)
{
    m_applying = true;
    m_features->setValue(preset.features);
    m_hidden->setValue(preset.hidden);
    m_kind->setCurrentIndex(m_kind->findData(int(preset.kind)));
    m_sweep->setChecked(preset.sweep);
    m_instances->setValue(preset.instances);
    m_probabilityMin->setValue(preset.probabilityMin);
    m_probability->setValue(preset.probability);
    m_importanceDecay->setValue(preset.importanceDecay);
    m_steps->setValue(preset.steps);
    m_learningRate->setValue(preset.learningRate);
    m_presetDescription->setText(QString::fromStdString(preset.description));
    updateProbabilityMode();
    m_applying = false;
    Q_EMIT changed();
}

const ToyPreset& ToyControlsWidget::presetAt(int index)
{
    const auto& presets = ToyPreset::all();
    return index >= 0 && std::size_t(index) < presets.size() ? presets[std::size_t(index)] : presets.front();
}

int ToyControlsWidget::presetIndex() const { return m_preset->currentIndex(); }
void ToyControlsWidget::setPresetIndex(int index) { m_preset->setCurrentIndex(index); }

void ToyControlsWidget::updateProbabilityMode()
{
    const bool sweep = m_sweep->isChecked();
    m_instances->setEnabled(sweep);
    m_probabilityMin->setEnabled(sweep);
    m_probability->setEnabled(!sweep);
}

ToyModelConfig ToyControlsWidget::modelConfig() const
{
    ToyModelConfig c;
    c.features = m_features->value();
    c.hidden = m_hidden->value();
    c.kind = static_cast<ToyModelKind>(m_kind->currentData().toInt());
    c.importanceDecay = m_importanceDecay->value();
    c.featureProbability = m_sweep->isChecked()
                               ? ToyModelConfig::sweepProbabilities(c.features, m_instances->value(), m_probabilityMin->value())
                               : ToyModelConfig::sharedProbability(c.features, 1, m_probability->value());
    return c;
}

TrainingConfig ToyControlsWidget::trainingConfig() const
{
    TrainingConfig t;
    t.steps = m_steps->value();
    t.batch = m_batch->value();
    t.learningRate = m_learningRate->value();
    t.adamW = m_optimizer->currentIndex() == 1;
    t.seed = static_cast<std::uint64_t>(m_seed->value());
    t.restarts = m_restarts->value();
    t.threads = m_threads->value();
    return t;
}

void ToyControlsWidget::setState(State state)
{
    m_state = state;
    m_pause->setText(state == State::Paused ? tr("Resume") : tr("Pause"));
    m_pause->setEnabled(state != State::Idle);
    m_stop->setEnabled(state != State::Idle);
}

void ToyControlsWidget::setStatus(const QString& text) { m_status->setText(text); }

namespace {
const char* optimizerName(int index) { return index == 1 ? "adamw" : "adam"; }
} // namespace

nlohmann::json ToyControlsWidget::saveSettings() const
{
    return {{"preset", m_preset->currentIndex()},
            {"features", m_features->value()},
            {"hidden", m_hidden->value()},
            {"kind", featurescope::toyModelKindName(static_cast<ToyModelKind>(m_kind->currentData().toInt()))},
            {"sweep", m_sweep->isChecked()},
            {"instances", m_instances->value()},
            {"probability_min", m_probabilityMin->value()},
            {"probability", m_probability->value()},
            {"importance_decay", m_importanceDecay->value()},
            {"steps", m_steps->value()},
            {"batch", m_batch->value()},
            {"learning_rate", m_learningRate->value()},
            {"optimizer", optimizerName(m_optimizer->currentIndex())},
            {"seed", m_seed->value()},
            {"restarts", m_restarts->value()},
            {"threads", m_threads->value()}};
}

void ToyControlsWidget::validateSettings(const nlohmann::json& settings, const std::string& where) const
{
    const featurescope::SettingsReader r(settings, where);
    r.integer("preset", 0, m_preset->count() - 1);
    using SpinKey = std::pair<const char*, QSpinBox*>;
    for (const auto& [key, box] : std::initializer_list<SpinKey>{{"features", m_features}, {"hidden", m_hidden},
                                                                 {"instances", m_instances}, {"steps", m_steps},
                                                                 {"batch", m_batch}, {"seed", m_seed},
                                                                 {"restarts", m_restarts}, {"threads", m_threads}})
        r.integer(key, box->minimum(), box->maximum());
    using DoubleKey = std::pair<const char*, QDoubleSpinBox*>;
    for (const auto& [key, box] : std::initializer_list<DoubleKey>{{"probability_min", m_probabilityMin},
                                                                   {"probability", m_probability},
                                                                   {"importance_decay", m_importanceDecay},
                                                                   {"learning_rate", m_learningRate}})
        r.number(key, box->minimum(), box->maximum());
    r.boolean("sweep");
    r.choice("kind", {"linear", "relu-output", "relu-hidden", "untied-abs"});
    r.choice("optimizer", {"adam", "adamw"});
}

void ToyControlsWidget::applySettings(const nlohmann::json& settings)
{
    m_applying = true;
    {
        // The preset box would apply its preset's parameters: only its text and description change here.
        const QSignalBlocker blocker(m_preset);
        m_preset->setCurrentIndex(settings.at("preset").get<int>());
        m_presetDescription->setText(QString::fromStdString(presetAt(m_preset->currentIndex()).description));
    }
    m_features->setValue(settings.at("features").get<int>());
    m_hidden->setValue(settings.at("hidden").get<int>());
    const auto kind = featurescope::toyModelKindFromName(settings.at("kind").get<std::string>());
    m_kind->setCurrentIndex(m_kind->findData(int(kind)));
    m_sweep->setChecked(settings.at("sweep").get<bool>());
    m_instances->setValue(settings.at("instances").get<int>());
    m_probabilityMin->setValue(settings.at("probability_min").get<double>());
    m_probability->setValue(settings.at("probability").get<double>());
    m_importanceDecay->setValue(settings.at("importance_decay").get<double>());
    m_steps->setValue(settings.at("steps").get<int>());
    m_batch->setValue(settings.at("batch").get<int>());
    m_learningRate->setValue(settings.at("learning_rate").get<double>());
    m_optimizer->setCurrentIndex(settings.at("optimizer").get<std::string>() == "adamw" ? 1 : 0);
    m_seed->setValue(settings.at("seed").get<int>());
    m_restarts->setValue(settings.at("restarts").get<int>());
    m_threads->setValue(settings.at("threads").get<int>());
    updateProbabilityMode();
    m_applying = false;
}

QString ToyControlsWidget::modelKindLabel() const { return m_kind->currentText(); }
