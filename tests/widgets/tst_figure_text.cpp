// Presentation output beyond the pixels: figure text edited before export (and kept across the panel's own
// replots), the caption built from Panel::figureCaption, and the one colour-map registry.
#include "common/ExportDialog.h"
#include "common/FigureCaption.h"
#include "common/FigureExporter.h"
#include "common/FigureText.h"
#include "common/Panel.h"
#include "common/Theme.h"
#include "plots/ColorMaps.h"
#include "plots/FeaturePalette.h"
#include "plots/LossCurvePlot.h"
#include "plots/QCustomPlotInclude.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <QVBoxLayout>

#include <cmath>
#include <limits>
#include <memory>

namespace {

// A plot like the panels' plots: a title element, axis labels, a named graph in a visible legend, a text item.
QCustomPlot* makePlot(QWidget* parent = nullptr)
{
    auto* plot = new QCustomPlot(parent);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, QStringLiteral("Original title")));
    QCPGraph* graph = plot->addGraph();
    QVector<double> x, y;
    for (int i = 0; i < 30; ++i) {
        x.append(i);
        y.append(std::cos(i / 4.0));
    }
    graph->setData(x, y);
    graph->setName(QStringLiteral("series alpha"));
    plot->legend->setVisible(true);
    plot->xAxis->setLabel(QStringLiteral("step"));
    plot->yAxis->setLabel(QStringLiteral("loss"));
    auto* note = new QCPItemText(plot);
    note->position->setCoords(10, 0.5);
    note->setText(QStringLiteral("original note"));
    plot->rescaleAxes();
    return plot;
}

QByteArray exportSvg(QWidget* widget, const QString& path)
{
    ExportOptions options;
    options.logicalSize = QSize(640, 400);
    const QString error = FigureExporter::exportWidget(widget, path, options);
    if (!error.isEmpty())
        return {};
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString keyOf(QCustomPlot* plot, FigureTextEntry::Kind kind, int nth = 0)
{
    for (const FigureTextEntry& entry : FigureText::entries(plot))
        if (entry.kind == kind && nth-- == 0)
            return entry.key;
    return {};
}

// Stands in for a panel that re-sets its labels on every live update, as the training panels do.
void panelUpdate(QCustomPlot* plot, int step)
{
    qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0))->setText(QStringLiteral("Original title"));
    plot->xAxis->setLabel(QStringLiteral("step %1").arg(step));
    plot->graph(0)->setName(QStringLiteral("series alpha"));
}

class StubPanel : public Panel {
public:
    StubPanel()
    {
        auto* layout = new QVBoxLayout(this);
        m_curve = makePlot(this);
        m_other = makePlot(this);
        layout->addWidget(m_curve);
        layout->addWidget(m_other);
    }
    QString title() const override { return QStringLiteral("Stub panel"); }
    QString panelId() const override { return QStringLiteral("stub"); }
    QStringList figureNames() const override { return {QStringLiteral("Curve"), QStringLiteral("Other")}; }
    QWidget* figureWidget(const QString& name) override
    {
        return name == QLatin1String("Curve") ? m_curve : name == QLatin1String("Other") ? m_other : nullptr;
    }
    QString figureCaption(const QString& figure) const override
    {
        if (figure == QLatin1String("Curve"))
            return QStringLiteral("toy model n=5, m=2, S=0.9, seed 7");
        if (figure == QLatin1String("Other"))
            return QStringLiteral("other figure, seed 8");
        return {};
    }
    QCustomPlot* m_curve = nullptr;
    QCustomPlot* m_other = nullptr;
};

} // namespace

class TestFigureText : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void entriesListEveryKind();
    void overrideReachesSvg();
    void overrideSurvivesPanelReplot();
    void overrideWithoutReplotStillExported();
    void realPlotRebuildsGraphs();
    void settingOriginalRemovesOverride();
    void dialogFieldsEditTheFigure();
    void dialogGroupsByFigure();
    void captionFromPanel();
    void captionWholePanelFallsBackToFigures();
    void colorMapEndpoints_data();
    void colorMapEndpoints();
    void categoricalIsOkabeIto();
    void featurePaletteDelegates();

private:
    QTemporaryDir m_dir;
};

void TestFigureText::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QApplication::setApplicationVersion(QStringLiteral("9.8.7"));
    Theme::apply(*qApp, Theme::Id::Light);
}

void TestFigureText::entriesListEveryKind()
{
    std::unique_ptr<QCustomPlot> plot(makePlot());
    QStringList texts;
    QList<FigureTextEntry::Kind> kinds;
    for (const FigureTextEntry& entry : FigureText::entries(plot.get())) {
        texts.append(entry.text);
        kinds.append(entry.kind);
        QCOMPARE(entry.text, entry.original);
        QVERIFY(!entry.overridden);
    }
    QVERIFY(texts.contains(QStringLiteral("Original title")));
    QVERIFY(texts.contains(QStringLiteral("step")));
    QVERIFY(texts.contains(QStringLiteral("loss")));
    QVERIFY(texts.contains(QStringLiteral("series alpha")));
    QVERIFY(texts.contains(QStringLiteral("original note")));
    for (auto kind : {FigureTextEntry::Kind::Title, FigureTextEntry::Kind::AxisLabel,
                      FigureTextEntry::Kind::LegendEntry, FigureTextEntry::Kind::Annotation})
        QVERIFY(kinds.contains(kind));
    // Hidden axes (the top and right ones) are not offered.
    QVERIFY(!texts.contains(QString()) || kinds.count(FigureTextEntry::Kind::AxisLabel) == 2);
}

void TestFigureText::overrideReachesSvg()
{
    std::unique_ptr<QCustomPlot> plot(makePlot());
    FigureText::setOverride(plot.get(), keyOf(plot.get(), FigureTextEntry::Kind::Title), QStringLiteral("Edited Headline"));
    FigureText::setOverride(plot.get(), QStringLiteral("axis/0/bottom/0"), QStringLiteral("time (s)"));
    FigureText::setOverride(plot.get(), keyOf(plot.get(), FigureTextEntry::Kind::LegendEntry), QStringLiteral("renamed series"));
    FigureText::setOverride(plot.get(), keyOf(plot.get(), FigureTextEntry::Kind::Annotation), QStringLiteral("edited note"));
    const QByteArray svg = exportSvg(plot.get(), m_dir.filePath(QStringLiteral("edited.svg")));
    QVERIFY(!svg.isEmpty());
    for (const char* text : {"Edited Headline", "time (s)", "renamed series", "edited note"})
        QVERIFY2(svg.contains(text), text);
    QVERIFY(!svg.contains("Original title"));
    QVERIFY(!svg.contains("series alpha"));
    QVERIFY(!svg.contains("original note"));
}

void TestFigureText::overrideSurvivesPanelReplot()
{
    std::unique_ptr<QCustomPlot> plot(makePlot());
    const QString titleKey = keyOf(plot.get(), FigureTextEntry::Kind::Title);
    FigureText::setOverride(plot.get(), titleKey, QStringLiteral("Slide title"));
    FigureText::setOverride(plot.get(), QStringLiteral("axis/0/bottom/0"), QStringLiteral("training step (k)"));
    // The panel re-sets its texts on a live update and replots: the overrides win.
    panelUpdate(plot.get(), 120);
    plot->replot(QCustomPlot::rpImmediateRefresh);
    QCOMPARE(plot->xAxis->label(), QStringLiteral("training step (k)"));
    QCOMPARE(qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0))->text(), QStringLiteral("Slide title"));
    // The panel's latest text is remembered as the original...
    bool found = false;
    for (const FigureTextEntry& entry : FigureText::entries(plot.get()))
        if (entry.key == QLatin1String("axis/0/bottom/0")) {
            QCOMPARE(entry.original, QStringLiteral("step 120"));
            QVERIFY(entry.overridden);
            found = true;
        }
    QVERIFY(found);
    const QByteArray svg = exportSvg(plot.get(), m_dir.filePath(QStringLiteral("replotted.svg")));
    QVERIFY(svg.contains("Slide title"));
    QVERIFY(svg.contains("training step (k)"));
    QVERIFY(!svg.contains("step 120"));
    // ...and "Reset text" gives it back.
    panelUpdate(plot.get(), 121);
    plot->replot(QCustomPlot::rpImmediateRefresh);
    FigureText::reset(plot.get());
    QVERIFY(!FigureText::hasOverrides(plot.get()));
    QCOMPARE(plot->xAxis->label(), QStringLiteral("step 121"));
    QCOMPARE(qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0))->text(), QStringLiteral("Original title"));
    panelUpdate(plot.get(), 122);
    plot->replot(QCustomPlot::rpImmediateRefresh);
    QCOMPARE(plot->xAxis->label(), QStringLiteral("step 122")); // after reset the panel owns its labels again
}

void TestFigureText::overrideWithoutReplotStillExported()
{
    std::unique_ptr<QCustomPlot> plot(makePlot());
    FigureText::setOverride(plot.get(), QStringLiteral("axis/0/left/0"), QStringLiteral("loss (nats)"));
    plot->yAxis->setLabel(QStringLiteral("loss")); // the panel again, with no replot before the export
    const QByteArray svg = exportSvg(plot.get(), m_dir.filePath(QStringLiteral("noreplot.svg")));
    QVERIFY(svg.contains("loss (nats)"));
}

// LossCurvePlot deletes and re-creates its graphs on every live update: overrides keyed by position still win.
void TestFigureText::realPlotRebuildsGraphs()
{
    LossCurvePlot plot;
    plot.resize(600, 400);
    const std::vector<std::vector<float>> loss{{1.0f, 0.5f, 0.25f}, {0.9f, 0.6f, 0.3f}};
    plot.setHistories(loss, {QStringLiteral("dense run"), QStringLiteral("sparse run")});
    plot.replot(QCustomPlot::rpImmediateRefresh);
    FigureText::setOverride(&plot, keyOf(&plot, FigureTextEntry::Kind::Title), QStringLiteral("Loss of both runs"));
    FigureText::setOverride(&plot, keyOf(&plot, FigureTextEntry::Kind::LegendEntry, 1), QStringLiteral("S = 0.9"));
    for (int update = 0; update < 3; ++update) {
        plot.setHistories(loss, {QStringLiteral("dense run"), QStringLiteral("sparse run")});
        plot.replot(QCustomPlot::rpImmediateRefresh);
    }
    QCOMPARE(plot.graphCount(), 2);
    QCOMPARE(plot.graph(1)->name(), QStringLiteral("S = 0.9"));
    QCOMPARE(plot.graph(0)->name(), QStringLiteral("dense run"));
    const QByteArray svg = exportSvg(&plot, m_dir.filePath(QStringLiteral("loss.svg")));
    QVERIFY(svg.contains("Loss of both runs"));
    QVERIFY(svg.contains("S = 0.9"));
    QVERIFY(!svg.contains("sparse run"));
    FigureText::reset(&plot);
    QCOMPARE(plot.graph(1)->name(), QStringLiteral("sparse run"));
}

void TestFigureText::settingOriginalRemovesOverride()
{
    std::unique_ptr<QCustomPlot> plot(makePlot());
    FigureText::setOverride(plot.get(), QStringLiteral("axis/0/left/0"), QStringLiteral("changed"));
    QVERIFY(FigureText::hasOverrides(plot.get()));
    FigureText::setOverride(plot.get(), QStringLiteral("axis/0/left/0"), QStringLiteral("loss"));
    QVERIFY(!FigureText::hasOverrides(plot.get()));
    QCOMPARE(plot->yAxis->label(), QStringLiteral("loss"));
    FigureText::setOverride(plot.get(), QStringLiteral("no/such/element"), QStringLiteral("x"));
    QVERIFY(!FigureText::hasOverrides(plot.get()));
}

void TestFigureText::dialogFieldsEditTheFigure()
{
    std::unique_ptr<QCustomPlot> plot(makePlot());
    plot->resize(400, 300);
    ExportDialog dialog({{QStringLiteral("Loss"), plot.get()}}, QString(), m_dir.path(), QStringLiteral("t"));
    QLineEdit* axisField = nullptr;
    for (QLineEdit* edit : dialog.textFields())
        if (edit->property("fsKey").toString() == QLatin1String("axis/0/bottom/0"))
            axisField = edit;
    QVERIFY(axisField);
    QCOMPARE(axisField->text(), QStringLiteral("step"));
    axisField->selectAll();
    QTest::keyClicks(axisField, QStringLiteral("epoch (k)"));
    QCOMPARE(plot->xAxis->label(), QStringLiteral("epoch (k)")); // applied to the figure at once
    panelUpdate(plot.get(), 5);
    plot->replot(QCustomPlot::rpImmediateRefresh);
    QCOMPARE(plot->xAxis->label(), QStringLiteral("epoch (k)"));
    const QString path = m_dir.filePath(QStringLiteral("dialog.svg"));
    dialog.findChild<QLineEdit*>(QStringLiteral("path"))->setText(path);
    QCOMPARE(dialog.exportToFile(), QString());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().contains("epoch (k)"));
    // Reset Text puts the panel's latest text back, in the figure and in the field.
    dialog.findChild<QPushButton*>(QStringLiteral("resetText"))->click();
    QCOMPARE(plot->xAxis->label(), QStringLiteral("step 5"));
    bool listed = false;
    for (QLineEdit* edit : dialog.textFields())
        if (edit->property("fsKey").toString() == QLatin1String("axis/0/bottom/0")) {
            QCOMPARE(edit->text(), QStringLiteral("step 5"));
            listed = true;
        }
    QVERIFY(listed);
}

void TestFigureText::dialogGroupsByFigure()
{
    StubPanel panel;
    panel.resize(600, 600);
    ExportDialog dialog({{QStringLiteral("Whole panel"), &panel}, {QStringLiteral("Curve"), panel.m_curve},
                         {QStringLiteral("Other"), panel.m_other}},
                        QString(), m_dir.path(), QStringLiteral("t"));
    QSet<QString> figures;
    for (QLineEdit* edit : dialog.textFields())
        figures.insert(edit->property("fsFigure").toString());
    QCOMPARE(figures, (QSet<QString>{QStringLiteral("Curve"), QStringLiteral("Other")}));
    if (qEnvironmentVariableIsSet("FEATURESCOPE_DIALOG_SCREENSHOT")) { // for looking at the dialog by eye
        if (const auto theme = Theme::fromName(qEnvironmentVariable("FEATURESCOPE_DIALOG_THEME")))
            Theme::apply(*qApp, *theme);
        dialog.setPanel(&panel);
        dialog.show();
        QTest::qWait(600); // the preview is debounced
        dialog.grab().save(qEnvironmentVariable("FEATURESCOPE_DIALOG_SCREENSHOT"));
    }
    dialog.findChild<QComboBox*>(QStringLiteral("target"))->setCurrentIndex(2);
    figures.clear();
    for (QLineEdit* edit : dialog.textFields())
        figures.insert(edit->property("fsFigure").toString());
    QCOMPARE(figures, QSet<QString>{QStringLiteral("Other")});
}

void TestFigureText::captionFromPanel()
{
    StubPanel panel;
    ExportDialog dialog({{QStringLiteral("Whole panel"), &panel}, {QStringLiteral("Curve"), panel.m_curve}},
                        QString(), m_dir.path(), QStringLiteral("t"));
    dialog.setPanel(&panel);
    dialog.findChild<QComboBox*>(QStringLiteral("target"))->setCurrentIndex(1);
    const QString caption = dialog.caption();
    QVERIFY2(caption.contains(QStringLiteral("toy model n=5, m=2, S=0.9, seed 7")), qPrintable(caption));
    QVERIFY(caption.contains(QStringLiteral("9.8.7")));
    QVERIFY(caption.contains(QDate::currentDate().toString(Qt::ISODate)));
    QVERIFY(!caption.contains(QStringLiteral("other figure")));
    auto* box = dialog.findChild<QPlainTextEdit*>(QStringLiteral("caption"));
    QVERIFY(box && box->isReadOnly());
    QCOMPARE(box->toPlainText(), caption);
    dialog.findChild<QPushButton*>(QStringLiteral("copyCaption"))->click();
    QCOMPARE(QGuiApplication::clipboard()->text(), caption);
    // The function MainWindow uses for its own "Copy Caption".
    const QString composed = FigureCaption::compose(&panel, QStringLiteral("Curve"), QDate(2024, 5, 6));
    QCOMPARE(composed, QStringLiteral("Stub panel — Curve: toy model n=5, m=2, S=0.9, seed 7\nfeaturescope 9.8.7 · 2024-05-06"));
    const QString copied = FigureCaption::copyToClipboard(&panel, QStringLiteral("Curve"));
    QCOMPARE(QGuiApplication::clipboard()->text(), copied);
    QVERIFY(copied.startsWith(QStringLiteral("Stub panel — Curve: toy model")));
}

void TestFigureText::captionWholePanelFallsBackToFigures()
{
    StubPanel panel;
    const QString caption = FigureCaption::compose(&panel, QString());
    QVERIFY(caption.contains(QStringLiteral("seed 7")));
    QVERIFY(caption.contains(QStringLiteral("seed 8")));
    QVERIFY(caption.startsWith(QStringLiteral("Stub panel")));
    QVERIFY(FigureCaption::compose(nullptr, QString()).contains(QStringLiteral("9.8.7")));
}

void TestFigureText::colorMapEndpoints_data()
{
    QTest::addColumn<QString>("map");
    QTest::addColumn<double>("value");
    QTest::addColumn<QColor>("expected");
    QTest::newRow("sequential 0: viridis purple") << QStringLiteral("sequential") << 0.0 << QColor(0x44, 0x01, 0x54);
    QTest::newRow("sequential 1: viridis yellow") << QStringLiteral("sequential") << 1.0 << QColor(0xfd, 0xe7, 0x25);
    QTest::newRow("sequential clamps below") << QStringLiteral("sequential") << -3.0 << QColor(0x44, 0x01, 0x54);
    QTest::newRow("diverging -1: blue") << QStringLiteral("diverging") << -1.0 << QColor(0x21, 0x66, 0xac);
    QTest::newRow("diverging 0: white") << QStringLiteral("diverging") << 0.0 << QColor(0xf7, 0xf7, 0xf7);
    QTest::newRow("diverging +1: red") << QStringLiteral("diverging") << 1.0 << QColor(0xb2, 0x18, 0x2b);
    QTest::newRow("diverging clamps above") << QStringLiteral("diverging") << 5.0 << QColor(0xb2, 0x18, 0x2b);
    QTest::newRow("NaN") << QStringLiteral("sequential") << std::numeric_limits<double>::quiet_NaN() << ColorMaps::nanColor();
}

void TestFigureText::colorMapEndpoints()
{
    QFETCH(QString, map);
    QFETCH(double, value);
    QFETCH(QColor, expected);
    const bool sequential = map == QLatin1String("sequential");
    QCOMPARE((sequential ? ColorMaps::sequential(value) : ColorMaps::diverging(value)).rgb(), expected.rgb());
    // The QCustomPlot gradient agrees at the endpoints of its range.
    if (!std::isnan(value) && std::abs(value) <= 1.0 && (sequential || value != 0.0)) {
        QCPColorGradient gradient = sequential ? ColorMaps::sequentialGradient() : ColorMaps::divergingGradient();
        const QCPRange range = sequential ? QCPRange(0, 1) : QCPRange(-1, 1);
        QCOMPARE(QColor::fromRgb(gradient.color(value, range)).rgb(), expected.rgb());
    }
}

void TestFigureText::categoricalIsOkabeIto()
{
    const QList<QColor> palette = ColorMaps::okabeItoPalette();
    QCOMPARE(palette.size(), 8);
    QCOMPARE(palette[0], QColor(0, 114, 178));
    QCOMPARE(palette[1], QColor(213, 94, 0));
    QCOMPARE(ColorMaps::okabeIto(ColorMaps::OkabeIto::Orange), QColor(230, 159, 0));
    QCOMPARE(ColorMaps::okabeIto(ColorMaps::OkabeIto::SkyBlue), QColor(86, 180, 233));
    for (int i = 0; i < 8; ++i)
        QCOMPARE(ColorMaps::categorical(i), palette[i]);
    // Beyond eight, colours stay distinct from their neighbours.
    for (int i = 8; i < 30; ++i)
        QVERIFY(ColorMaps::categorical(i) != ColorMaps::categorical(i + 1));
    QCOMPARE(ColorMaps::categorical(-1), ColorMaps::neutralColor());
}

void TestFigureText::featurePaletteDelegates()
{
    for (int i = -1; i < 20; ++i)
        QCOMPARE(FeaturePalette::featureColor(i), ColorMaps::categorical(i));
    QVERIFY(FeaturePalette::diverging() == ColorMaps::divergingGradient());
    QVERIFY(FeaturePalette::sequential() == ColorMaps::sequentialGradient());
    QCOMPARE(FeaturePalette::sequentialColor(0.37), ColorMaps::sequential(0.37));
    QCOMPARE(FeaturePalette::divergingColor(-0.4), ColorMaps::diverging(-0.4));
}

QTEST_MAIN(TestFigureText)
#include "tst_figure_text.moc"
