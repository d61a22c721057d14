// The energy-bound panel, offscreen: presets fill the inputs, inputs change the result as you type, invalid input
// shows an error instead of a number, and every figure has data.
#include "panels/EnergyBoundPanel.h"
#include "plots/LogScatterPlot.h"

#include "energy/EfficiencyTrend.h"
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
    void referenceLabelsAreNotCrossed_data();
    void referenceLabelsAreNotCrossed();
    void sixteenBitTrendIsFittedOnSixteenBitPresets();

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
    QCOMPARE(bits->suffix(), QStringLiteral(" bit/op"));
    QVERIFY(bits->text().endsWith(QStringLiteral("1.0 bit/op")));
    auto* plot = qobject_cast<LogScatterPlot*>(m_panel->figureWidget(QStringLiteral("ratio-vs-bits")));
    QVERIFY(plot);
    bool legendSaysOneBit = false;
    for (int i = 0; i < plot->graphCount(); ++i)
        legendSaysOneBit |= plot->graph(i)->name().startsWith(QStringLiteral("1 bit: "));
    QVERIFY(legendSaysOneBit);
    bits->setValue(8.0);
    QVERIFY2(caption->text().contains(QStringLiteral("(8 bits \u00d7")), qPrintable(caption->text()));
    QCOMPARE(bits->suffix(), QStringLiteral(" bits/op"));
}

// Every reference line's label (He, N2, FP8, the Landauer limit, the CMOS ceiling, ...) sits inside the axis rect
// where no curve, trend line or marker crosses it, and the chosen input's marker is drawn whole, for inputs at the
// ends of the sweeps and several sizes (the CMOS ceiling's label was crossed by the 16-bit trend, and a 1-bit marker
// was cut in half at the axis edge).
void TestEnergyPanel::referenceLabelsAreNotCrossed_data()
{
    QTest::addColumn<double>("bits");
    QTest::addColumn<double>("kelvin");
    QTest::addColumn<int>("width");
    QTest::newRow("defaults") << 16.0 << 300.0 << 1280;
    QTest::newRow("1 bit") << 1.0 << 300.0 << 1280;
    QTest::newRow("1 bit at 1 K") << 1.0 << 1.0 << 1400;
    QTest::newRow("4096 bits at 1000 K") << 4096.0 << 1000.0 << 1920;
    QTest::newRow("8 bits at 4.2 K") << 8.0 << 4.2 << 1280;
    QTest::newRow("32 bits at 77 K") << 32.0 << 77.0 << 1920;
}

void TestEnergyPanel::referenceLabelsAreNotCrossed()
{
    QFETCH(double, bits);
    QFETCH(double, kelvin);
    QFETCH(int, width);
    m_panel->resize(width, width * 9 / 16);
    child<QDoubleSpinBox>("bitsSpin")->setValue(bits);
    child<QDoubleSpinBox>("temperatureSpin")->setValue(kelvin);
    for (const QString& name : m_panel->figureNames()) {
        auto* plot = qobject_cast<LogScatterPlot*>(m_panel->figureWidget(name));
        QVERIFY(plot);
        plot->replot(QCustomPlot::rpImmediateRefresh);
        if (const QString dir = qEnvironmentVariable("FEATURESCOPE_PLOT_PNG_DIR"); !dir.isEmpty()) // for a look
            plot->savePng(QStringLiteral("%1/%2_%3.png").arg(dir, name, QString::fromLatin1(QTest::currentDataTag())));
        const QRectF area = plot->axisRect()->rect();
        // What a label must not touch: curves, sampled every pixel along each segment, and markers.
        QVector<QPointF> linePixels;
        QVector<QRectF> markers;
        for (int g = 0; g < plot->graphCount(); ++g) {
            const QCPGraph* graph = plot->graph(g);
            QPointF previous;
            int index = 0;
            for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it, ++index) {
                const QPointF p(plot->xAxis->coordToPixel(it->key), plot->yAxis->coordToPixel(it->value));
                if (!graph->scatterStyle().isNone()) {
                    const double size = graph->scatterStyle().size();
                    markers.append(QRectF(p.x() - size / 2, p.y() - size / 2, size, size));
                }
                if (graph->lineStyle() != QCPGraph::lsNone && index > 0) {
                    const int steps = int(QLineF(previous, p).length()) + 1;
                    for (int k = 0; k <= steps; ++k)
                        linePixels.append(previous + (p - previous) * (double(k) / steps));
                }
                previous = p;
            }
        }
        // The chosen input's marker (a one-point filled series) lies wholly inside the axis rect.
        for (int g = 0; g < plot->graphCount(); ++g) {
            const QCPGraph* graph = plot->graph(g);
            if (graph->data()->size() != 1 || graph->scatterStyle().isNone() || name == QLatin1String("efficiency-trend"))
                continue;
            const auto point = graph->data()->constBegin();
            const QPointF p(plot->xAxis->coordToPixel(point->key), plot->yAxis->coordToPixel(point->value));
            const double r = graph->scatterStyle().size() / 2;
            QVERIFY2(area.contains(QRectF(p.x() - r, p.y() - r, 2 * r, 2 * r)),
                     qPrintable(QStringLiteral("%1: the marker of %2 is cut at the axis edge").arg(name, graph->name())));
        }
        int labels = 0;
        for (int i = 0; i < plot->itemCount(); ++i) {
            auto* text = qobject_cast<QCPItemText*>(plot->item(i));
            // Reference labels are placed in axis-rect fractions along one axis; free labels use data coordinates.
            if (!text || (text->position->typeX() != QCPItemPosition::ptAxisRectRatio &&
                          text->position->typeY() != QCPItemPosition::ptAxisRectRatio))
                continue;
            ++labels;
            const QRectF rect = QRectF(text->topLeft->pixelPosition(), text->bottomRight->pixelPosition())
                                    .normalized()
                                    .adjusted(1, 1, -1, -1);
            const QString what = QStringLiteral("%1: label \"%2\"").arg(name, text->text());
            QVERIFY2(area.contains(rect), qPrintable(what + QStringLiteral(" is cut off")));
            for (const QPointF& p : linePixels)
                QVERIFY2(!rect.contains(p), qPrintable(what + QStringLiteral(" is crossed by a line")));
            for (const QRectF& marker : markers)
                QVERIFY2(!rect.intersects(marker), qPrintable(what + QStringLiteral(" covers a marker")));
        }
        QVERIFY2(labels >= 3, qPrintable(name));
    }
}

// The "16-bit trend" line is fitted on the presets' dense 16-bit figures alone and says so; the FP32 trend on FP32
// figures alone (GTX 580 and K80 have no 16-bit figure, and fitting their FP32 peaks into the 16-bit trend made it
// double every 1.9 years instead of 2.9).
void TestEnergyPanel::sixteenBitTrendIsFittedOnSixteenBitPresets()
{
    auto* plot = qobject_cast<LogScatterPlot*>(m_panel->figureWidget(QStringLiteral("efficiency-trend")));
    QVERIFY(plot);
    const EfficiencyTrend sixteen = EfficiencyTrend::fit(presetTrendPoints(hardwarePresets(), PresetFigure::Dense16));
    const EfficiencyTrend fp32 = EfficiencyTrend::fit(presetTrendPoints(hardwarePresets(), PresetFigure::Fp32));
    QStringList names;
    for (int i = 0; i < plot->graphCount(); ++i)
        names << plot->graph(i)->name();
    const QString sixteenLabel = QStringLiteral("16-bit trend: \u00d72 / %1 y").arg(sixteen.doublingYears(), 0, 'f', 1);
    const QString fp32Label = QStringLiteral("FP32 trend: \u00d72 / %1 y").arg(fp32.doublingYears(), 0, 'f', 1);
    QVERIFY2(names.contains(sixteenLabel), qPrintable(names.join(u'|')));
    QVERIFY2(names.contains(fp32Label), qPrintable(names.join(u'|')));
    QVERIFY2(sixteenLabel.contains(QStringLiteral("2.9 y")), qPrintable(sixteenLabel));
    // The solid 16-bit line is the 16-bit fit.
    for (int i = 0; i < plot->graphCount(); ++i)
        if (plot->graph(i)->name() == sixteenLabel) {
            const auto first = plot->graph(i)->data()->constBegin();
            QVERIFY(relClose(first->value, sixteen.valueAt(first->key), 1e-9));
        }
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
