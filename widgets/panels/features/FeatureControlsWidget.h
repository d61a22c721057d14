#pragma once

#include "experiments/SaeExperimentConfig.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QToolButton;

// The source picker and SAE settings of the Feature activations panel, with Train / Stop and a status line.
// Switching the source (or the variant) fills in that source's default SAE settings, guarded so it emits one change.
class FeatureControlsWidget : public QWidget {
    Q_OBJECT
public:
    explicit FeatureControlsWidget(QWidget* parent = nullptr);

    featurescope::SaeExperimentConfig config() const;
    void setSource(featurescope::SaeExperimentConfig::Source source);
    featurescope::SaeExperimentConfig::Source source() const;
    // For tests and headless rendering: set every field from a config (the source first, then its values).
    void setConfig(const featurescope::SaeExperimentConfig& config);
    // Activations read from a file (File > Open Activations…); selects the "Imported file" source.
    void setImported(std::shared_ptr<const featurescope::ImportedActivations> imported);
    std::shared_ptr<const featurescope::ImportedActivations> imported() const { return m_imported; }

    void setRunning(bool running);
    void setStatus(const QString& text);
    void setError(const QString& text); // shown in red; empty clears
    QString statusText() const;

Q_SIGNALS:
    void changed();
    void trainRequested();
    void stopRequested();

private:
    void applySourceDefaults();
    void updateVariantFields();
    void updateDataStatus();

    QComboBox* m_source = nullptr;
    QStackedWidget* m_sourcePages = nullptr;
    QSpinBox* m_synFeatures = nullptr;
    QSpinBox* m_synDimension = nullptr;
    QDoubleSpinBox* m_synActive = nullptr;
    QSpinBox* m_toyFeatures = nullptr;
    QSpinBox* m_toyHidden = nullptr;
    QDoubleSpinBox* m_toyProbability = nullptr;
    QSpinBox* m_toySteps = nullptr;
    QLineEdit* m_dataDir = nullptr;
    QToolButton* m_browse = nullptr;
    QSpinBox* m_mlpEpochs = nullptr;
    QLabel* m_dataStatus = nullptr;
    QLabel* m_fileInfo = nullptr;
    std::shared_ptr<const featurescope::ImportedActivations> m_imported;

    QComboBox* m_variant = nullptr;
    QSpinBox* m_latents = nullptr;
    QDoubleSpinBox* m_l1 = nullptr;
    QLabel* m_l1Label = nullptr;
    QSpinBox* m_k = nullptr;
    QLabel* m_kLabel = nullptr;
    QCheckBox* m_normalize = nullptr;
    QSpinBox* m_steps = nullptr;
    QSpinBox* m_batch = nullptr;
    QDoubleSpinBox* m_lr = nullptr;
    QSpinBox* m_seed = nullptr;

    QPushButton* m_train = nullptr;
    QPushButton* m_stop = nullptr;
    QLabel* m_status = nullptr;
    bool m_applying = false; // guard: filling defaults is not a user edit
};
