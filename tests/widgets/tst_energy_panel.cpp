// The energy-bound panel, offscreen: presets fill the inputs, inputs change the result as you type, invalid input
// shows an error instead of a number, and every figure has data.
#include "panels/EnergyBoundPanel.h"
#include "plots/LogScatterPlot.h"

#include "energy/HardwarePreset.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QRegularExpression>
#include <QTest>

#include <cmath>

using namespace featurescope;

namespace {
bool relClose(double a, double b, double tolerance) { return std::abs(a - b) <= tolerance * std::abs(b); }
} // namespace

class TestEnergyPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void startsOnTheSeedCase();
    void presetsFillInputs_data();
    void presetsFillInputs();
    void inputsChangeResult_data();
    void inputsChangeResult();
    void typingUpdatesResult();
    void editingChipFiguresLeavesPreset();
    void invalidInputShowsError_data();
    void invalidInputShowsError();
    void everyFigureHasData();
    void hoverNamesTheChip();
    void everyControlHasATooltip();
    void oneBitIsSingular();

private:
    template <typename T> T* child(const char* name)
    {
        T* widget = m_panel->findChild<T*>(QLatin1String(name));
        if (!widget)
            qFatal("no child %s", name);
        return widget;
    }
    EnergyBoundPanel* m_panel = nullptr;
};

void TestEnergyPanel::init()
{
    m_panel = new EnergyBoundPanel;
    m_panel->resize(1280, 720);
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel));
}

void TestEnergyPanel::cleanup()
{
    delete m_panel;
    m_panel = nullptr;
}

void TestEnergyPanel::startsOnTheSeedCase()
{
    QCOMPARE(m_panel->panelId(), QStringLiteral("energy"));
    QCOMPARE(m_panel->selectedPresetId(), QStringLiteral("a100-sxm4"));
    QVERIFY(m_panel->hasValidResult());
    QVERIFY(relClose(m_panel->currentRatio(), 2.79e7, 3e-3));
    QVERIFY2(m_panel->resultText().startsWith(QStringLiteral("2.79")), qPrintable(m_panel->resultText()));
    QVERIFY(m_panel->errorText().isEmpty());
    QVERIFY(!child<QLabel>("derivationLabel")->text().isEmpty());
    QVERIFY(child<QLabel>("caveatsLabel")->text().contains(QStringLiteral("erasure")));
}

void TestEnergyPanel::presetsFillInputs_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<double>("ratio"); // 0 = only check it is finite and positive
    QTest::newRow("A100 PCIe 40 GB") << "a100-pcie-40gb" << 1.74e7;
    QTest::newRow("A100 PCIe 80 GB") << "a100-pcie-80gb" << 2.09e7;
    QTest::newRow("A100 SXM4") << "a100-sxm4" << 2.79e7;
    for (const auto& p : hardwarePresets())
        QTest::newRow(p.id.c_str()) << QString::fromStdString(p.id) << 0.0;
}

void TestEnergyPanel::presetsFillInputs()
{
    QFETCH(QString, id);
    QFETCH(double, ratio);
    QVERIFY(m_panel->selectPreset(id));
    QCOMPARE(m_panel->selectedPresetId(), id);
    const HardwarePreset& preset = hardwarePreset(id.toStdString());
    const LandauerInput in = m_panel->currentInput();
    QCOMPARE(in.throughputTflops, preset.headlineTflops());
    QCOMPARE(in.powerW, preset.watts);
    QVERIFY(m_panel->hasValidResult());
    QVERIFY(m_panel->currentRatio() > 0.0);
    if (ratio > 0.0)
        QVERIFY2(relClose(m_panel->currentRatio(), ratio, 3e-3), QByteArray::number(m_panel->currentRatio()));
    QVERIFY(!m_panel->findChild<QLabel*>(QStringLiteral("presetNote"))->text().isEmpty());
}

// "1 bits" reads as a typo on a slide: the caption and the figure legends count bits in the right number.
void TestEnergyPanel::oneBitIsSingular()
{
    auto* bits = m_panel->findChild<QDoubleSpinBox*>(QStringLiteral("bitsSpin"));
    auto* caption = m_panel->findChild<QLabel*>(QStringLiteral("ratioCaption"));
    QVERIFY(bits && caption);
    bits->setValue(1.0);
    QVERIFY2(caption->text().contains(QStringLiteral("(1 bit \u00d7")), qPrintable(caption->text()));
    QVERIFY(!caption->text().contains(QStringLiteral("1 bits")));
    bits->setValue(8.0);
    QVERIFY2(caption->text().contains(QStringLiteral("(8 bits \u00d7")), qPrintable(caption->text()));
}

void TestEnergyPanel::inputsChangeResult_data()
{
    QTest::addColumn<QString>("control");
    QTest::addColumn<double>("value");
    QTest::addColumn<double>("factor");
    QTest::newRow("temperature 600 K") << "temperatureSpin" << 600.0 << 0.5;
    QTest::newRow("temperature 77 K") << "temperatureSpin" << 77.0 << 300.0 / 77.0;
    QTest::newRow("32 bits/op") << "bitsSpin" << 32.0 << 0.5;
    QTest::newRow("50 % utilisation") << "utilizationSpin" << 50.0 << 2.0;
    QTest::newRow("800 W") << "powerSpin" << 800.0 << 2.0;
    QTest::newRow("156 TFLOP/s") << "throughputSpin" << 156.0 << 2.0;
    QTest::newRow("1.5x overhead") << "overheadSpin" << 1.5 << 1.5;
    QTest::newRow("count MACs") << "countCombo" << 1.0 << 2.0;
    QTest::newRow("sparse headline") << "sparseCheck" << 1.0 << 2.0;
}

void TestEnergyPanel::inputsChangeResult()
{
    QFETCH(QString, control);
    QFETCH(double, value);
    QFETCH(double, factor);
    const double before = m_panel->currentRatio();
    const QString textBefore = m_panel->resultText();
    QObject* widget = m_panel->findChild<QObject*>(control);
    QVERIFY(widget);
    if (auto* spin = qobject_cast<QDoubleSpinBox*>(widget))
        spin->setValue(value);
    else if (auto* combo = qobject_cast<QComboBox*>(widget))
        combo->setCurrentIndex(int(value));
    else if (auto* check = qobject_cast<QCheckBox*>(widget))
        check->setChecked(value != 0.0);
    QVERIFY(m_panel->hasValidResult());
    QVERIFY2(relClose(m_panel->currentRatio(), before * factor, 1e-9), QByteArray::number(m_panel->currentRatio()));
    QVERIFY(m_panel->resultText() != textBefore);
}

void TestEnergyPanel::typingUpdatesResult()
{
    auto* spin = child<QDoubleSpinBox>("temperatureSpin");
    spin->setFocus();
    spin->selectAll();
    QTest::keyClicks(spin, QStringLiteral("6"));
    // Each keystroke updates the result; "6" alone is already 6 K.
    QVERIFY2(relClose(m_panel->currentRatio(), 2.79e7 * 50.0, 3e-3), QByteArray::number(m_panel->currentRatio()));
    QTest::keyClicks(spin, QStringLiteral("00"));
    QVERIFY2(relClose(m_panel->currentRatio(), 2.79e7 / 2.0, 3e-3), QByteArray::number(m_panel->currentRatio()));
}

void TestEnergyPanel::editingChipFiguresLeavesPreset()
{
    QCOMPARE(m_panel->selectedPresetId(), QStringLiteral("a100-sxm4"));
    child<QDoubleSpinBox>("temperatureSpin")->setValue(350.0); // a convention: the preset stays
    QCOMPARE(m_panel->selectedPresetId(), QStringLiteral("a100-sxm4"));
    child<QDoubleSpinBox>("powerSpin")->setValue(123.0); // the chip's own figure: now custom
    QCOMPARE(m_panel->selectedPresetId(), QString());
    QCOMPARE(m_panel->currentInput().powerW, 123.0);
    QVERIFY(m_panel->hasValidResult());
    QVERIFY(m_panel->selectPreset(QStringLiteral("h100-sxm5")));
    QCOMPARE(m_panel->currentInput().powerW, 700.0);
    QCOMPARE(m_panel->currentInput().temperatureK, 350.0);
}

void TestEnergyPanel::invalidInputShowsError_data()
{
    QTest::addColumn<QString>("control");
    QTest::addColumn<QString>("message");
    QTest::newRow("zero throughput") << "throughputSpin" << "throughput";
    QTest::newRow("zero power") << "powerSpin" << "power";
    QTest::newRow("zero temperature") << "temperatureSpin" << "temperature";
    QTest::newRow("zero bits") << "bitsSpin" << "bits";
    QTest::newRow("zero utilisation") << "utilizationSpin" << "utilisation";
}

void TestEnergyPanel::invalidInputShowsError()
{
    QFETCH(QString, control);
    QFETCH(QString, message);
    auto* spin = m_panel->findChild<QDoubleSpinBox*>(control);
    QVERIFY(spin);
    const double good = spin->value();
    spin->setValue(0.0);
    QVERIFY(!m_panel->hasValidResult());
    QVERIFY(std::isnan(m_panel->currentRatio()));
    QVERIFY2(m_panel->errorText().contains(message), qPrintable(m_panel->errorText()));
    QVERIFY(child<QLabel>("errorLabel")->isVisible());
    QVERIFY2(!m_panel->resultText().contains(QRegularExpression(QStringLiteral("[0-9]"))),
             qPrintable(m_panel->resultText()));
    spin->setValue(good);
    QVERIFY(m_panel->hasValidResult());
    QVERIFY(m_panel->errorText().isEmpty());
    QVERIFY(!child<QLabel>("errorLabel")->isVisible());
}

void TestEnergyPanel::everyFigureHasData()
{
    const QStringList names = m_panel->figureNames();
    QCOMPARE(names, QStringList({QStringLiteral("ratio-vs-temperature"), QStringLiteral("ratio-vs-bits"),
                                 QStringLiteral("efficiency-trend")}));
    for (const QString& name : names) {
        auto* plot = qobject_cast<LogScatterPlot*>(m_panel->figureWidget(name));
        QVERIFY2(plot, qPrintable(name));
        QVERIFY2(plot->seriesWithData() >= 2, qPrintable(name));
        QVERIFY(!plot->title().isEmpty());
        QVERIFY(!plot->xAxis->label().isEmpty());
        QVERIFY(!plot->yAxis->label().isEmpty());
        for (int i = 0; i < plot->graphCount(); ++i) {
            bool foundRange = false;
            const QCPRange keys = plot->graph(i)->getKeyRange(foundRange);
            QVERIFY2(foundRange, qPrintable(name));
            QVERIFY(plot->xAxis->range().contains(keys.lower) || plot->xAxis->range().contains(keys.upper));
        }
    }
    QCOMPARE(m_panel->figureWidget(QStringLiteral("no-such-figure")), nullptr);
    // The trend plot holds every preset and a fitted trend.
    auto* trend = qobject_cast<LogScatterPlot*>(m_panel->figureWidget(QStringLiteral("efficiency-trend")));
    int points = 0;
    for (int i = 0; i < trend->graphCount(); ++i)
        if (trend->graph(i)->lineStyle() == QCPGraph::lsNone)
            points += trend->graph(i)->data()->size();
    QVERIFY(points >= int(hardwarePresets().size()));
}

void TestEnergyPanel::hoverNamesTheChip()
{
    auto* trend = qobject_cast<LogScatterPlot*>(m_panel->figureWidget(QStringLiteral("efficiency-trend")));
    trend->replot(QCustomPlot::rpImmediateRefresh);
    const HardwarePreset& h100 = hardwarePreset("h100-sxm5");
    const QPointF pixel(trend->xAxis->coordToPixel(h100.year),
                        trend->yAxis->coordToPixel(*h100.flopsPerJoule(PresetFigure::Dense16)));
    const QString text = trend->hoverTextAt(pixel);
    QVERIFY2(text.contains(QStringLiteral("H100 SXM5")), qPrintable(text));
    QVERIFY(trend->hoverTextAt(QPointF(-100, -100)).isEmpty());
}

void TestEnergyPanel::everyControlHasATooltip()
{
    for (auto* spin : m_panel->findChildren<QDoubleSpinBox*>())
        QVERIFY2(!spin->toolTip().isEmpty(), qPrintable(spin->objectName()));
    for (auto* combo : m_panel->findChildren<QComboBox*>())
        QVERIFY2(!combo->toolTip().isEmpty(), qPrintable(combo->objectName()));
    for (auto* check : m_panel->findChildren<QCheckBox*>())
        QVERIFY2(!check->toolTip().isEmpty(), qPrintable(check->objectName()));
}

QTEST_MAIN(TestEnergyPanel)
#include "tst_energy_panel.moc"
