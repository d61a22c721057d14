#pragma once

#include "experiments/ToyPreset.h"

#include <QWidget>

#include <nlohmann/json_fwd.hpp>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QCheckBox;
class QStackedWidget;

// The parameters of a toy-model run: preset, model, data, training. Emits `changed` (debounced by the panel) when
// any value changes, and the Train/Pause/Stop/Reset requests.
class ToyControlsWidget : public QWidget {
    Q_OBJECT
public:
    explicit ToyControlsWidget(QWidget* parent = nullptr);

    featurescope::ToyModelConfig modelConfig() const;
    featurescope::TrainingConfig trainingConfig() const;
    void applyPreset(const featurescope::ToyPreset& preset);
    int presetIndex() const;
    void setPresetIndex(int index);

    // Sessions: every control as JSON. validateSettings throws featurescope::InputError (prefixed with `where`) on
    // anything applySettings could not show exactly; applySettings then sets every control without emitting
    // `changed` (restoring is not a parameter edit, so nothing retrains).
    nlohmann::json saveSettings() const;
    void validateSettings(const nlohmann::json& settings, const std::string& where) const;
    void applySettings(const nlohmann::json& settings);
    // "ReLU output toy model, n = 5, m = 2, ..." for figure captions.
    QString modelKindLabel() const;

    // Button states: idle, running or paused.
    enum class State { Idle, Running, Paused };
    void setState(State state);
    void setStatus(const QString& text);

Q_SIGNALS:
    void changed();
    // The user picked a preset from the list (after changed()): a deliberate choice of experiment, which the panel runs.
    void presetChosen();
    void trainRequested();
    void pauseRequested();
    void resumeRequested();
    void stopRequested();
    void resetRequested();

private:
    static const featurescope::ToyPreset& presetAt(int index); // the preset of a combo index (the first if none)
    void updateProbabilityMode();

    QComboBox* m_preset = nullptr;
    QLabel* m_presetDescription = nullptr;
    QSpinBox* m_features = nullptr;
    QSpinBox* m_hidden = nullptr;
    QComboBox* m_kind = nullptr;
    QCheckBox* m_sweep = nullptr;
    QSpinBox* m_instances = nullptr;
    QDoubleSpinBox* m_probabilityMin = nullptr;
    QDoubleSpinBox* m_probability = nullptr;
    QDoubleSpinBox* m_importanceDecay = nullptr;
    QSpinBox* m_steps = nullptr;
    QSpinBox* m_batch = nullptr;
    QDoubleSpinBox* m_learningRate = nullptr;
    QComboBox* m_optimizer = nullptr;
    QSpinBox* m_seed = nullptr;
    QSpinBox* m_restarts = nullptr;
    QSpinBox* m_threads = nullptr;
    QPushButton* m_train = nullptr;
    QPushButton* m_pause = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_reset = nullptr;
    QLabel* m_status = nullptr;
    State m_state = State::Idle;
    bool m_applying = false; // guard: applying a preset must not emit a change per field
};
