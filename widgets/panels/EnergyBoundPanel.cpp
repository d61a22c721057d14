#include "panels/EnergyBoundPanel.h"

#include "panels/energy/EnergyFigures.h"
#include "panels/energy/EnergyText.h"
#include "plots/LogScatterPlot.h"

#include "common/FigureExporter.h"
#include "common/InputError.h"
#include "energy/EnergyReferences.h"
#include "energy/EvaluationSchedule.h"
#include "energy/HardwarePreset.h"
#include "common/Theme.h"
#include "session/PanelState.h"
#include "common/SettingsReader.h"

#include <nlohmann/json.hpp>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFontInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace featurescope;
using energytext::sci;

namespace {

QDoubleSpinBox* spinBox(QWidget* parent, const char* objectName, double min, double max, int decimals,
                        const QString& suffix, const QString& tooltip)
{
    auto* spin = new QDoubleSpinBox(parent);
    spin->setObjectName(QLatin1String(objectName));
    spin->setRange(min, max);
    spin->setDecimals(decimals);
    spin->setSuffix(suffix);
    spin->setToolTip(tooltip);
    spin->setKeyboardTracking(true); // valueChanged while typing: everything updates as you type
    spin->setAccelerated(true);
    spin->setAlignment(Qt::AlignRight);
    return spin;
}

} // namespace

EnergyBoundPanel::EnergyBoundPanel(QWidget* parent) : Panel(parent)
{
    setObjectName(QStringLiteral("EnergyBoundPanel"));
    QFont base = font();
    base.setPointSizeF(10.0);
    setFont(base);

    m_figures = new EnergyFigures(this);
    auto* root = new QVBoxLayout(this);
    root->setContentsMargins(8, 6, 8, 6);
    root->setSpacing(6);

    auto* top = new QHBoxLayout;
    top->setSpacing(8);
    top->addWidget(buildInputs(), 0);
    top->addWidget(buildResult(), 1);
    top->addWidget(buildCaveats(), 0);
    root->addLayout(top, 0);

    root->addWidget(m_figures, 1);

    applyThemeColors();
    selectPreset(QStringLiteral("a100-sxm4")); // the classic "1e7 above Landauer" case
}

namespace {
// Secondary text: the text colour moved towards the background, less so on a projector (contrast matters there).
QColor secondaryText(const QPalette& palette)
{
    const QColor text = palette.color(QPalette::WindowText);
    const QColor window = palette.color(QPalette::Window);
    const double t = Theme::current() == Theme::Id::Presentation ? 0.15 : 0.35;
    return QColor::fromRgbF(float(text.redF() * (1 - t) + window.redF() * t),
                            float(text.greenF() * (1 - t) + window.greenF() * t),
                            float(text.blueF() * (1 - t) + window.blueF() * t));
}
// The big number's accent: navy on light backgrounds, the palette's (light) link blue on dark ones.
QColor accentText(const QPalette& palette)
{
    return palette.color(QPalette::Window).lightness() < 128 ? palette.color(QPalette::Link) : QColor(0x0b, 0x3d, 0x91);
}
} // namespace

void EnergyBoundPanel::applyThemeColors()
{
    if (!m_ratio || !m_presetNote)
        return; // a palette change during construction
    // The size is in the style sheet too: a theme's "QWidget { font-size }" rule would otherwise shrink the number.
    m_ratio->setStyleSheet(QStringLiteral("color: %1; font-size: %2pt; font-weight: bold;")
                               .arg(accentText(palette()).name())
                               .arg(Theme::current() == Theme::Id::Presentation ? 30 : 26));
    m_presetNote->setStyleSheet(QStringLiteral("color: %1;").arg(secondaryText(palette()).name()));
}

void EnergyBoundPanel::changeEvent(QEvent* event)
{
    Panel::changeEvent(event);
    // A theme switch changes the palette: the hand-picked colours (and the derivation's HTML) follow it.
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange) {
        applyThemeColors();
        if (m_valid)
            recompute();
    }
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange)
        applyColumnWidths();
}

void EnergyBoundPanel::applyColumnWidths()
{
    // The side columns were laid out for a 9 pt font; a theme with larger type (presentation) widens them to match,
    // so the preset names and numbers are not cut.
    const double scale = std::max(1.0, QFontInfo(font()).pointSizeF() / 9.0);
    if (m_inputsBox)
        m_inputsBox->setFixedWidth(int(std::lround(kInputsWidth * scale)));
    if (m_caveatsBox)
        m_caveatsBox->setFixedWidth(int(std::lround(kCaveatsWidth * scale)));
}

QString EnergyBoundPanel::title() const { return tr("Energy bound"); }

QStringList EnergyBoundPanel::figureNames() const
{
    return {QStringLiteral("ratio-vs-temperature"), QStringLiteral("ratio-vs-bits"), QStringLiteral("efficiency-trend")};
}

QWidget* EnergyBoundPanel::figureWidget(const QString& name)
{
    if (name == QLatin1String("ratio-vs-temperature"))
        return m_figures->temperaturePlot();
    if (name == QLatin1String("ratio-vs-bits"))
        return m_figures->bitsPlot();
    if (name == QLatin1String("efficiency-trend"))
        return m_figures->trendPlot();
    return nullptr;
}

void EnergyBoundPanel::prepareForRender() { recompute(); }

QWidget* EnergyBoundPanel::buildInputs()
{
    auto* box = new QGroupBox(tr("Inputs"), this);
    m_inputsBox = box;
    box->setProperty(FigureExporter::kControlsProperty, true); // a whole-panel export shows results and figures only
    box->setFixedWidth(kInputsWidth);
    auto* form = new QFormLayout(box);
    form->setContentsMargins(8, 4, 8, 6);
    form->setVerticalSpacing(3);
    form->setHorizontalSpacing(8);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    m_preset = new QComboBox(box);
    m_preset->setObjectName(QStringLiteral("presetCombo"));
    m_preset->setToolTip(tr("An accelerator's published peak throughput and power (vendor datasheets, largely via "
                            "Epoch AI's ML hardware database). \"Custom\" keeps your own figures."));
    m_preset->addItem(tr("Custom"), QString());
    for (const auto& p : hardwarePresets())
        m_preset->addItem(QStringLiteral("%1 (%2)%3")
                              .arg(QString::fromStdString(p.name))
                              .arg(p.year)
                              .arg(p.estimated ? QStringLiteral(" *") : QString()),
                          QString::fromStdString(p.id));

    m_figure = new QComboBox(box);
    m_figure->setObjectName(QStringLiteral("figureCombo"));
    m_figure->addItem(tr("16-bit tensor, dense"), int(PresetFigure::Dense16));
    m_figure->addItem(tr("FP32"), int(PresetFigure::Fp32));
    m_figure->setToolTip(tr("Which of the preset's peak figures fills the throughput: the dense BF16/FP16 tensor peak "
                            "or the FP32 peak (then 32 bits per op is the matching convention)."));

    m_throughput = spinBox(box, "throughputSpin", 0.0, 1e6, 3, tr(" TFLOP/s"),
                           tr("Peak throughput in 10^12 floating-point operations per second, as on the datasheet. "
                              "Must be greater than 0."));
    m_count = new QComboBox(box);
    m_count->setObjectName(QStringLiteral("countCombo"));
    m_count->addItem(tr("FLOP"), int(OpCount::Flop));
    m_count->addItem(tr("MAC (= 2 FLOP)"), int(OpCount::Mac));
    m_count->setToolTip(tr("What one op is. Vendors count a multiply-accumulate as 2 FLOP; counting MACs halves the "
                           "ops per second and so doubles the ratio."));
    m_sparse = new QCheckBox(tr("2:4-sparse headline: halve it"), box);
    m_sparse->setObjectName(QStringLiteral("sparseCheck"));
    m_sparse->setToolTip(tr("Hopper and later datasheet headlines assume 2:4 structured sparsity; the dense figure is "
                            "half. The presets already hold dense figures."));
    m_utilization = spinBox(box, "utilizationSpin", 0.0, 100.0, 1, tr(" %"),
                            tr("Fraction of the peak actually sustained (30-60 % is typical for training). Must be "
                               "greater than 0 and at most 100 %."));
    m_power = spinBox(box, "powerSpin", 0.0, 1e6, 1, tr(" W"),
                      tr("Power drawn while doing that work: the spec-sheet TDP, or a measured draw. Must be greater "
                         "than 0."));
    m_overhead = spinBox(box, "overheadSpin", 1.0, 10.0, 2, tr(" \u00d7"),
                         tr("Multiplies the power for what the chip needs around it: host, network, cooling "
                            "(about 1.1-1.6 for a data centre). 1 = the chip alone."));
    m_temperature = spinBox(box, "temperatureSpin", 0.0, 1e5, 1, tr(" K"),
                            tr("Temperature of the logic; the Landauer energy k_B T ln 2 is proportional to it. "
                               "Must be greater than 0 K."));
    m_bits = spinBox(box, "bitsSpin", 0.0, 4096.0, 1, tr(" bits/op"),
                     tr("Bits irreversibly erased per op: 16 for bf16 inputs (the default), 32 for fp32 "
                        "accumulation. Must be greater than 0."));

    m_utilization->setValue(100.0);
    m_overhead->setValue(1.0);
    m_temperature->setValue(300.0);
    m_bits->setValue(16.0);

    form->addRow(tr("Preset"), m_preset);
    form->addRow(tr("Figure"), m_figure);
    form->addRow(tr("Throughput"), m_throughput);
    form->addRow(m_sparse);
    form->addRow(tr("Count ops as"), m_count);
    form->addRow(tr("Utilisation"), m_utilization);
    form->addRow(tr("Power"), m_power);
    form->addRow(tr("Overhead"), m_overhead);
    form->addRow(tr("Temperature"), m_temperature);
    form->addRow(tr("Bits erased"), m_bits);
    for (int row = 0; row < form->rowCount(); ++row)
        if (auto* item = form->itemAt(row, QFormLayout::LabelRole); item && item->widget())
            item->widget()->setToolTip(form->itemAt(row, QFormLayout::FieldRole)->widget()->toolTip());

    m_presetNote = new QLabel(box);
    m_presetNote->setObjectName(QStringLiteral("presetNote"));
    m_presetNote->setWordWrap(true);
    m_presetNote->setTextFormat(Qt::PlainText);
    m_presetNote->setToolTip(tr("Source and notes of the selected preset; * marks estimated figures."));
    form->addRow(m_presetNote);

    connect(m_preset, &QComboBox::currentIndexChanged, this, &EnergyBoundPanel::applyPreset);
    connect(m_figure, &QComboBox::currentIndexChanged, this, &EnergyBoundPanel::applyPreset);
    connect(m_throughput, &QDoubleSpinBox::valueChanged, this, &EnergyBoundPanel::onChipFigureEdited);
    connect(m_power, &QDoubleSpinBox::valueChanged, this, &EnergyBoundPanel::onChipFigureEdited);
    for (QDoubleSpinBox* spin : {m_utilization, m_overhead, m_temperature, m_bits})
        connect(spin, &QDoubleSpinBox::valueChanged, this, &EnergyBoundPanel::recompute);
    // "1 bit/op", not "1 bits/op".
    connect(m_bits, &QDoubleSpinBox::valueChanged, m_bits, [this](double bits) {
        m_bits->setSuffix(bits == 1.0 ? tr(" bit/op") : tr(" bits/op"));
    });
    connect(m_count, &QComboBox::currentIndexChanged, this, &EnergyBoundPanel::recompute);
    connect(m_sparse, &QCheckBox::toggled, this, &EnergyBoundPanel::recompute);
    return box;
}

QWidget* EnergyBoundPanel::buildResult()
{
    auto* box = new QGroupBox(tr("Actual power / Landauer power"), this);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(10, 2, 10, 4);
    layout->setSpacing(0);

    auto* numberRow = new QHBoxLayout;
    m_ratio = new QLabel(box);
    m_ratio->setObjectName(QStringLiteral("ratioLabel"));
    QFont big = font();
    big.setPointSizeF(26.0);
    big.setBold(true);
    m_ratio->setFont(big);
    m_ratio->setToolTip(tr("How many times the power exceeds the Landauer power for the same erasures."));
    m_ratio->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_ratioCaption = new QLabel(box);
    m_ratioCaption->setObjectName(QStringLiteral("ratioCaption"));
    m_ratioCaption->setWordWrap(true);
    m_ratioCaption->setTextFormat(Qt::RichText);
    numberRow->addWidget(m_ratio, 0, Qt::AlignVCenter);
    numberRow->addSpacing(12);
    numberRow->addWidget(m_ratioCaption, 1, Qt::AlignVCenter);
    layout->addLayout(numberRow);

    m_error = new QLabel(box);
    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b00020; font-weight: bold;"));
    m_error->setVisible(false);
    layout->addWidget(m_error);

    m_derivation = new QLabel(box);
    m_derivation->setObjectName(QStringLiteral("derivationLabel"));
    m_derivation->setTextFormat(Qt::RichText);
    m_derivation->setWordWrap(true); // lets the table's cells wrap in a narrow window instead of clipping
    m_derivation->setToolTip(tr("The calculation step by step (core's LandauerCalculator; `featurescope energy --json` "
                                "prints the same steps)."));
    m_derivation->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_derivation->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    layout->addWidget(m_derivation, 1);
    return box;
}

QWidget* EnergyBoundPanel::buildCaveats()
{
    auto* box = new QGroupBox(tr("Read the number with care"), this);
    m_caveatsBox = box;
    box->setFixedWidth(kCaveatsWidth);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(8, 2, 8, 4);
    layout->setSpacing(4);

    QString html = QStringLiteral("<ul style='margin-left:-18px; -qt-list-indent:1;'>");
    for (const auto& caveat : landauerCaveats())
        html += QStringLiteral("<li style='margin-bottom:3px;'>%1</li>").arg(QString::fromStdString(caveat).toHtmlEscaped());
    html += QStringLiteral("</ul>");
    auto* caveats = new QLabel(html, box);
    caveats->setObjectName(QStringLiteral("caveatsLabel"));
    caveats->setTextFormat(Qt::RichText);
    caveats->setWordWrap(true);
    caveats->setToolTip(tr("What the Landauer ratio does and does not say."));
    layout->addWidget(caveats);

    auto* rspTitle = new QLabel(tr("<b>Evaluation cadence</b> (RSP: every 4\u00d7 effective compute or 3 months, "
                                   "whichever comes first)"),
                                box);
    rspTitle->setWordWrap(true);
    layout->addWidget(rspTitle);
    auto* row = new QHBoxLayout;
    auto* growthLabel = new QLabel(tr("Compute grows"), box);
    m_growth = spinBox(box, "growthSpin", 1.0, 1e6, 1, tr(" \u00d7/year"),
                       tr("Growth factor of effective compute per year (hardware \u00d7 spending \u00d7 algorithms)."));
    growthLabel->setToolTip(m_growth->toolTip());
    m_growth->setValue(4.0);
    row->addWidget(growthLabel);
    row->addWidget(m_growth, 1);
    layout->addLayout(row);
    m_schedule = new QLabel(box);
    m_schedule->setObjectName(QStringLiteral("scheduleLabel"));
    m_schedule->setWordWrap(true);
    m_schedule->setToolTip(tr("Evaluation times over the next year at a constant growth rate."));
    layout->addWidget(m_schedule);
    layout->addStretch(1);
    connect(m_growth, &QDoubleSpinBox::valueChanged, this, &EnergyBoundPanel::updateSchedule);
    updateSchedule();
    return box;
}

QStringList EnergyBoundPanel::presetIds() const
{
    QStringList ids;
    for (int i = 0; i < m_preset->count(); ++i)
        if (!m_preset->itemData(i).toString().isEmpty())
            ids << m_preset->itemData(i).toString();
    return ids;
}

bool EnergyBoundPanel::selectPreset(const QString& id)
{
    const int index = m_preset->findData(id);
    if (index < 0)
        return false;
    if (index == m_preset->currentIndex())
        applyPreset();
    else
        m_preset->setCurrentIndex(index); // applyPreset() runs from the signal
    return true;
}

QString EnergyBoundPanel::selectedPresetId() const { return m_preset->currentData().toString(); }

void EnergyBoundPanel::applyPreset()
{
    if (m_applyingPreset)
        return;
    const QString id = selectedPresetId();
    const HardwarePreset* preset = id.isEmpty() ? nullptr : findHardwarePreset(id.toStdString());
    m_applyingPreset = true;
    if (preset) {
        const bool hasDense = preset->dense16Tflops.has_value();
        const bool hasFp32 = preset->fp32Tflops.has_value();
        PresetFigure figure = PresetFigure(m_figure->currentData().toInt());
        if (figure == PresetFigure::Dense16 && !hasDense)
            figure = PresetFigure::Fp32;
        if (figure == PresetFigure::Fp32 && !hasFp32)
            figure = PresetFigure::Dense16;
        m_figure->setCurrentIndex(m_figure->findData(int(figure)));
        m_figure->setEnabled(hasDense && hasFp32);
        m_throughput->setValue(*preset->tflops(figure));
        m_power->setValue(preset->watts);
        m_sparse->setChecked(false); // presets hold dense figures
        QString note = QString::fromStdString(preset->notes);
        if (preset->estimated)
            note += tr(" * Estimated figure.");
        m_presetNote->setText(note + QStringLiteral("\n") + tr("Source: %1").arg(QString::fromStdString(preset->source)));
    } else {
        m_figure->setEnabled(false);
        m_presetNote->setText(tr("Custom figures: type the throughput and power of any chip."));
    }
    m_applyingPreset = false;
    recompute();
}

void EnergyBoundPanel::onChipFigureEdited()
{
    // Typing a throughput or power of one's own leaves the preset: those figures no longer describe it.
    if (!m_applyingPreset && !selectedPresetId().isEmpty()) {
        m_applyingPreset = true;
        m_preset->setCurrentIndex(0);
        m_figure->setEnabled(false);
        m_presetNote->setText(tr("Custom figures: type the throughput and power of any chip."));
        m_applyingPreset = false;
    }
    if (!m_applyingPreset)
        recompute();
}

LandauerInput EnergyBoundPanel::currentInput() const
{
    LandauerInput in;
    in.temperatureK = m_temperature->value();
    in.bitsPerOp = m_bits->value();
    in.throughputTflops = m_throughput->value();
    in.count = OpCount(m_count->currentData().toInt());
    in.utilization = m_utilization->value() / 100.0;
    in.powerW = m_power->value();
    in.powerOverhead = m_overhead->value();
    in.sparseHeadline = m_sparse->isChecked();
    return in;
}

double EnergyBoundPanel::currentRatio() const
{
    return m_valid ? m_lastRatio : std::numeric_limits<double>::quiet_NaN();
}

QString EnergyBoundPanel::resultText() const { return m_ratio->text(); }

QString EnergyBoundPanel::errorText() const { return m_valid ? QString() : m_error->text(); }

void EnergyBoundPanel::recompute()
{
    if (m_applyingPreset)
        return;
    const LandauerInput in = currentInput();
    LandauerResult result;
    try {
        result = LandauerCalculator::compute(in);
    } catch (const InputError& error) {
        m_valid = false;
        m_ratio->setText(QStringLiteral("\u2014"));
        m_ratioCaption->setText(tr("no result: fix the input below"));
        m_error->setText(tr("Invalid input: %1").arg(QString::fromStdString(error.what())));
        m_error->setVisible(true);
        m_derivation->clear();
        // The figures keep the last valid input rather than drawing something wrong.
        return;
    }
    m_valid = true;
    m_lastRatio = result.ratio;
    m_error->clear();
    m_error->setVisible(false);
    m_ratio->setText(sci(result.ratio));

    const QString opName = in.count == OpCount::Mac ? tr("MAC") : tr("FLOP");
    m_ratioCaption->setText(
        tr("times the Landauer power <b>%1 W</b> (%2 \u00d7 %3 %4/s \u00d7 k<sub>B</sub>T ln 2 at %5 K)."
           "<br>The power pays for <b>%6</b> bit erasures per %4.")
            .arg(sci(result.landauerPowerW, 4), energytext::bitCount(in.bitsPerOp), sci(result.opsPerSecond), opName,
                 sci(in.temperatureK), sci(result.bitErasuresPerOp)));

    m_derivation->setText(energytext::derivationHtml(result, secondaryText(palette())));

    const QString chip =
        selectedPresetId().isEmpty() ? tr("your input") : m_preset->currentText().remove(QStringLiteral(" *"));
    m_figures->show(result, chip, selectedPresetId(), PresetFigure(m_figure->currentData().toInt()));
}

void EnergyBoundPanel::updateSchedule()
{
    EvaluationScheduleInput in;
    in.computeGrowthPerYear = m_growth->value();
    in.horizonMonths = 12.0;
    try {
        const double months = EvaluationSchedule::monthsPerComputeStep(in);
        const auto events = EvaluationSchedule::compute(in);
        QStringList times;
        for (const auto& e : events)
            times.append(QString::number(e.months, 'g', 3));
        const bool computeFirst = !events.empty() && events.front().trigger == EvaluationEvent::Trigger::Compute;
        const QString fourX = std::isinf(months) ? tr("never") : tr("every %1 months").arg(months, 0, 'f', 1);
        m_schedule->setText(tr("4\u00d7 compute comes %1, so the %2 triggers: evaluate at months %3 of the next "
                               "year (%4 evaluations).")
                                .arg(fourX, computeFirst ? tr("compute rule") : tr("3-month clock"),
                                     times.join(QStringLiteral(", ")))
                                .arg(events.size()));
    } catch (const InputError& error) {
        m_schedule->setText(QString::fromStdString(error.what()));
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Sessions

void EnergyBoundPanel::showPresetNote(const QString& id)
{
    const HardwarePreset* preset = id.isEmpty() ? nullptr : findHardwarePreset(id.toStdString());
    if (!preset) {
        m_figure->setEnabled(false);
        m_presetNote->setText(tr("Custom figures: type the throughput and power of any chip."));
        return;
    }
    m_figure->setEnabled(preset->dense16Tflops.has_value() && preset->fp32Tflops.has_value());
    QString note = QString::fromStdString(preset->notes);
    if (preset->estimated)
        note += tr(" * Estimated figure.");
    m_presetNote->setText(note + QStringLiteral("\n") + tr("Source: %1").arg(QString::fromStdString(preset->source)));
}

void EnergyBoundPanel::saveState(featurescope::PanelState& state) const
{
    state.arrays.clear();
    state.settings = {
        {"preset", selectedPresetId().toStdString()},
        {"figure", presetFigureName(PresetFigure(m_figure->currentData().toInt()))},
        {"throughput_tflops", m_throughput->value()},
        {"count", OpCount(m_count->currentData().toInt()) == OpCount::Mac ? "mac" : "flop"},
        {"sparse_headline", m_sparse->isChecked()},
        {"utilization_percent", m_utilization->value()},
        {"power_w", m_power->value()},
        {"overhead", m_overhead->value()},
        {"temperature_k", m_temperature->value()},
        {"bits_per_op", m_bits->value()},
        {"growth_per_year", m_growth->value()},
    };
}

void EnergyBoundPanel::restoreState(const featurescope::PanelState& state)
{
    // Validate every value against what the controls can show before touching any of them.
    const SettingsReader r(state.settings, "energy panel");
    const QString preset = QString::fromStdString(r.text("preset", 64));
    if (m_preset->findData(preset) < 0)
        throw InputError("energy panel: unknown hardware preset '" + preset.toStdString() + "'");
    const PresetFigure figure = r.choice("figure", {"dense16", "fp32"}) == "fp32" ? PresetFigure::Fp32 : PresetFigure::Dense16;
    const OpCount count = r.choice("count", {"flop", "mac"}) == "mac" ? OpCount::Mac : OpCount::Flop;
    const bool sparse = r.boolean("sparse_headline");
    struct Value {
        QDoubleSpinBox* spin;
        const char* key;
        double value = 0.0;
    };
    Value values[] = {{m_throughput, "throughput_tflops"}, {m_utilization, "utilization_percent"},
                      {m_power, "power_w"},                {m_overhead, "overhead"},
                      {m_temperature, "temperature_k"},    {m_bits, "bits_per_op"},
                      {m_growth, "growth_per_year"}};
    for (Value& v : values)
        v.value = r.number(v.key, v.spin->minimum(), v.spin->maximum());

    m_applyingPreset = true; // one recompute at the end, and no edit switches the preset to Custom
    m_preset->setCurrentIndex(m_preset->findData(preset));
    m_figure->setCurrentIndex(m_figure->findData(int(figure)));
    m_count->setCurrentIndex(m_count->findData(int(count)));
    m_sparse->setChecked(sparse);
    for (const Value& v : values)
        v.spin->setValue(v.value);
    showPresetNote(preset);
    m_applyingPreset = false;
    recompute();
    updateSchedule();
}

QString EnergyBoundPanel::figureCaption(const QString& figure) const
{
    const LandauerInput in = currentInput();
    const QString id = selectedPresetId();
    const HardwarePreset* preset = id.isEmpty() ? nullptr : findHardwarePreset(id.toStdString());
    const QString chip = preset ? tr("%1 (%2, %3 figure)")
                                      .arg(QString::fromStdString(preset->name))
                                      .arg(preset->year)
                                      .arg(energytext::presetFigureLabel(*preset, PresetFigure(m_figure->currentData().toInt())))
                                : tr("custom chip");
    const QString inputs =
        tr("%1: %2 TFLOP/s%3 counted as %4, utilisation %5 %, %6 W \u00d7 overhead %7, %8 K, %9 bits erased per op")
            .arg(chip)
            .arg(in.throughputTflops, 0, 'g', 6)
            .arg(in.sparseHeadline ? tr(" (2:4-sparse headline, halved)") : QString())
            .arg(in.count == OpCount::Mac ? tr("MAC") : tr("FLOP"))
            .arg(in.utilization * 100.0, 0, 'g', 4)
            .arg(in.powerW, 0, 'g', 6)
            .arg(in.powerOverhead, 0, 'g', 4)
            .arg(in.temperatureK, 0, 'g', 6)
            .arg(in.bitsPerOp, 0, 'g', 5);
    const QString ratio = m_valid ? tr("; actual / Landauer power = %1.").arg(sci(m_lastRatio)) : tr(".");
    QString what;
    if (figure == QLatin1String("ratio-vs-temperature"))
        what = tr("Ratio of actual to Landauer power against temperature (other inputs fixed).");
    else if (figure == QLatin1String("ratio-vs-bits"))
        what = tr("Ratio of actual to Landauer power against bits erased per op (other inputs fixed).");
    else if (figure == QLatin1String("efficiency-trend"))
        what = tr("Accelerator FLOP per joule (peak at TDP) by year for every preset, with least-squares trends.");
    else
        what = tr("Energy bound (Landauer limit at k_B T ln 2 per erased bit).");
    return what + QLatin1Char('\n') + inputs + ratio;
}
