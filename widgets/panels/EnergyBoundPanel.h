#pragma once

#include "common/Panel.h"

#include "energy/LandauerCalculator.h"

class EnergyFigures;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;

// The energy-bound panel (docs/ARCHITECTURE.md §6): how far a real accelerator sits above the Landauer limit.
// Every convention that moves the answer by 2x or more is an input; the ratio, its derivation, the caveats and
// three figures update as you type. The arithmetic is core's LandauerCalculator (microseconds, so it runs on the
// GUI thread: there is no long work to hand to a worker).
class EnergyBoundPanel : public Panel {
    Q_OBJECT
public:
    explicit EnergyBoundPanel(QWidget* parent = nullptr);

    QString title() const override;
    QString panelId() const override { return QStringLiteral("energy"); }
    QStringList figureNames() const override;
    QWidget* figureWidget(const QString& name) override;
    void prepareForRender() override;
    // Sessions: the preset, the figure choice, every input and the growth rate of the evaluation timeline.
    void saveState(featurescope::PanelState& state) const override;
    void restoreState(const featurescope::PanelState& state) override;
    QString figureCaption(const QString& figure) const override;

    // Selects a preset by id ("a100-sxm4") and fills the inputs; an empty id selects "Custom".
    bool selectPreset(const QString& id) override;
    QStringList presetIds() const override;
    QString selectedPresetId() const;
    featurescope::LandauerInput currentInput() const;
    bool hasValidResult() const { return m_valid; }
    double currentRatio() const; // NaN while the input is invalid
    QString resultText() const;  // the large number as shown
    QString errorText() const;   // empty when the input is valid

protected:
    void changeEvent(QEvent* event) override;

private:
    void applyThemeColors();
    void showPresetNote(const QString& id);
    QWidget* buildInputs();
    void applyColumnWidths();
    static constexpr int kInputsWidth = 292;  // px at a 9 pt font
    static constexpr int kCaveatsWidth = 268;
    QWidget* m_inputsBox = nullptr;
    QWidget* m_caveatsBox = nullptr;
    QWidget* buildResult();
    QWidget* buildCaveats();
    void applyPreset();
    void onChipFigureEdited();
    void recompute();
    void updateSchedule();

    QComboBox* m_preset = nullptr;
    QComboBox* m_figure = nullptr;
    QDoubleSpinBox* m_throughput = nullptr;
    QComboBox* m_count = nullptr;
    QCheckBox* m_sparse = nullptr;
    QDoubleSpinBox* m_utilization = nullptr;
    QDoubleSpinBox* m_power = nullptr;
    QDoubleSpinBox* m_overhead = nullptr;
    QDoubleSpinBox* m_temperature = nullptr;
    QDoubleSpinBox* m_bits = nullptr;
    QDoubleSpinBox* m_growth = nullptr;

    QLabel* m_ratio = nullptr;
    QLabel* m_ratioCaption = nullptr;
    QLabel* m_error = nullptr;
    QLabel* m_derivation = nullptr;
    QLabel* m_presetNote = nullptr;
    QLabel* m_schedule = nullptr;

    EnergyFigures* m_figures = nullptr;

    bool m_applyingPreset = false; // guard: filling inputs from a preset is not a user edit
    bool m_valid = false;
    double m_lastRatio = 0.0;
};
