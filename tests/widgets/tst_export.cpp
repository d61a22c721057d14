// Figure export and themes: every format yields a valid file of the requested size, transparency is real, the
// theme reaches the plots, selection is hidden unless asked, and `featurescope render --theme` does the same.
#include "common/ControlsScrollArea.h"
#include "common/ExportDialog.h"
#include "widgets/PdfText.h"
#include "common/FigureExporter.h"
#include "panels/EnergyBoundPanel.h"
#include "common/Theme.h"
#include "plots/QCustomPlotInclude.h"

#include <algorithm>
#include <cmath>

#include <QApplication>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QProcess>
#include <QTemporaryDir>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QTableWidget>
#include <QRegularExpression>
#include <QTest>
#include <QVBoxLayout>
#include <QXmlStreamReader>

namespace {

QCustomPlot* makePlot(QWidget* parent = nullptr)
{
    auto* plot = new QCustomPlot(parent);
    plot->setBackground(Qt::white);
    QCPGraph* graph = plot->addGraph();
    QVector<double> x, y;
    for (int i = 0; i < 50; ++i) {
        x.append(i);
        y.append(std::sin(i / 5.0));
    }
    graph->setData(x, y);
    graph->setPen(QPen(Qt::blue, 1.5));
    plot->xAxis->setLabel(QStringLiteral("x"));
    plot->yAxis->setLabel(QStringLiteral("y"));
    plot->rescaleAxes();
    return plot;
}

// A panel-like composite: a label above two plots.
QWidget* makeComposite()
{
    auto* widget = new QWidget;
    auto* layout = new QVBoxLayout(widget);
    layout->addWidget(new QLabel(QStringLiteral("A composite figure"), widget));
    layout->addWidget(makePlot(widget), 1);
    layout->addWidget(makePlot(widget), 1);
    return widget;
}

// A plot that needs `minimum` to show its contents, and records the viewport of every layout it is given.
class PlotWithMinimum : public QCustomPlot {
public:
    explicit PlotWithMinimum(const QSize& minimum) : m_minimum(minimum)
    {
        connect(this, &QCustomPlot::afterLayout, this, [this] { laidOut.append(viewport().size()); });
    }
    QSize minimumSizeHint() const override { return m_minimum; }
    QList<QSize> laidOut;

private:
    QSize m_minimum;
};

QColor plotBackground(QCustomPlot* plot)
{
    const QImage image = plot->toPixmap(200, 100, 1.0).toImage();
    return image.pixelColor(2, 2);
}

} // namespace

class TestExport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void pngSize_data();
    void pngSize();
    void pdfHeader_data();
    void pdfHeader();
    void slidePdfTextIsReadable();
    void slidePlotIsLaidOutAtItsMinimum();
    void exportedTitlesAreFittedToTheExport();
    void svgParses_data();
    void svgParses();
    void transparentCorner();
    void compositeLaidOutLargeEnough();
    void themeChangesPlotBackground();
    void themeIsIdempotent();
    void presentationFontsLeaveWithTheTheme();
    void secondaryTextIsReadable();
    void dialogOptions();
    void figureUnderTheMouseIsPreselected();
    void wholePanelLeavesOutTheControls();
    void energyPanelExportLeavesOutItsInputs();
    void tightCropsToTheDrawnContent();
    void cliRenderDark();
    void cliRenderSlide();

private:
    QWidget* target(const QString& kind);
    QTemporaryDir m_dir;
    std::unique_ptr<QWidget> m_widget;
};

void TestExport::initTestCase()
{
    QVERIFY(m_dir.isValid());
    Theme::apply(*qApp, Theme::Id::Light);
}

void TestExport::cleanup()
{
    m_widget.reset();
    Theme::apply(*qApp, Theme::Id::Light);
}

QWidget* TestExport::target(const QString& kind)
{
    m_widget.reset(kind == QLatin1String("plot") ? static_cast<QWidget*>(makePlot()) : makeComposite());
    return m_widget.get();
}

void TestExport::pngSize_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<bool>("transparent");
    QTest::newRow("plot") << QStringLiteral("plot") << false;
    QTest::newRow("plot, transparent") << QStringLiteral("plot") << true;
    QTest::newRow("composite") << QStringLiteral("composite") << false;
    QTest::newRow("composite, transparent") << QStringLiteral("composite") << true;
}

void TestExport::pngSize()
{
    QFETCH(QString, kind);
    QFETCH(bool, transparent);
    ExportOptions options;
    options.logicalSize = QSize(640, 360);
    options.scale = 2;
    options.transparentBackground = transparent;
    const QString path = m_dir.filePath(kind + QStringLiteral(".png"));
    QCOMPARE(FigureExporter::exportWidget(target(kind), path, options), QString());
    const QImage image(path);
    QCOMPARE(image.size(), QSize(1280, 720));
    // Something was drawn: not every pixel is the same.
    bool varied = false;
    const QColor first = image.pixelColor(0, 0);
    for (int y = 0; y < image.height() && !varied; y += 7)
        for (int x = 0; x < image.width() && !varied; x += 7)
            varied = image.pixelColor(x, y) != first;
    QVERIFY(varied);
}

void TestExport::pdfHeader_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("plot") << QStringLiteral("plot");
    QTest::newRow("composite") << QStringLiteral("composite");
}

void TestExport::pdfHeader()
{
    QFETCH(QString, kind);
    ExportOptions options;
    options.logicalSize = QSize(640, 360);
    const QString path = m_dir.filePath(kind + QStringLiteral(".pdf"));
    QCOMPARE(FigureExporter::exportWidget(target(kind), path, options), QString());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.read(4) == "%PDF");
    QVERIFY(file.size() > 500);
}

// A figure exported for a 16:9 slide and placed on a 13.33-inch slide has text of at least 14 pt, the superscript
// exponents of a log axis included. The same plot exported at the old default (a 1920 × 1080 page in points, scaled
// down onto the slide) has 5-7 pt text, which the check catches.
void TestExport::slidePdfTextIsReadable()
{
    auto onSlide = [&](const ExportOptions& options, const QString& name) {
        std::unique_ptr<QCustomPlot> plot(makePlot());
        plot->xAxis->setTickLabelFont(QFont(QStringLiteral("DejaVu Sans"), 10)); // as the panels' plots
        plot->yAxis->setTickLabelFont(QFont(QStringLiteral("DejaVu Sans"), 10));
        plot->xAxis->setLabelFont(QFont(QStringLiteral("DejaVu Sans"), 11));
        plot->yAxis->setLabelFont(QFont(QStringLiteral("DejaVu Sans"), 11));
        plot->yAxis->setScaleType(QCPAxis::stLogarithmic); // log ticks draw small superscript exponents
        plot->yAxis->setNumberFormat(QStringLiteral("eb"));
        plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
        plot->graph(0)->setData(QVector<double>{1, 2, 3}, QVector<double>{1e-2, 1e3, 1e5});
        plot->rescaleAxes();
        const QString path = m_dir.filePath(name);
        const QString error = FigureExporter::exportWidget(plot.get(), path, options);
        QFile file(path);
        if (!error.isEmpty() || !file.open(QIODevice::ReadOnly))
            return QList<double>();
        const QByteArray pdf = file.readAll();
        // The page width from the MediaBox; the page is scaled to the slide's 13.33 in = 960 pt.
        const auto box = QRegularExpression(QStringLiteral("/MediaBox \\[0 0 ([0-9.]+) ([0-9.]+)\\]"))
                             .match(QString::fromLatin1(pdf));
        const double pageWidth = box.hasMatch() ? box.captured(1).toDouble() : 0.0;
        QList<double> sizes = PdfText::fontSizes(pdf);
        for (double& size : sizes)
            size *= pageWidth > 0.0 ? 960.0 / pageWidth : 0.0;
        return sizes;
    };
    const QList<double> slide = onSlide(ExportOptions::forPage(QSizeF(13.333, 7.5), 21.0), QStringLiteral("slide.pdf"));
    QVERIFY2(slide.size() >= 6, qPrintable(QString::number(slide.size()))); // tick labels and the two axis labels
    const double smallest = *std::min_element(slide.begin(), slide.end());
    const double largest = *std::max_element(slide.begin(), slide.end());
    QVERIFY2(smallest >= 14.0, qPrintable(QString::number(smallest)));
    // Qt's PDF writer sets whole pixel sizes (13 px for 10 pt), so 21 pt comes out within a few per cent.
    QVERIFY2(std::count_if(slide.begin(), slide.end(), [](double pt) { return qAbs(pt - 21.0) < 0.8; }) >= 4,
             "the tick labels are at the 21 pt asked for");
    QVERIFY2(largest <= 26.0, qPrintable(QString::number(largest)));

    ExportOptions screen;
    screen.logicalSize = QSize(1920, 1080);
    const QList<double> old = onSlide(screen, QStringLiteral("screen.pdf"));
    QVERIFY(!old.isEmpty());
    QVERIFY2(*std::min_element(old.begin(), old.end()) < 14.0, "the check must catch small text");
}

// A plot on a full slide is laid out at its minimum size hint (its columns and legends need the room) and scaled onto
// the page, not squeezed into the page's 610 px; but no further than keeps the tick labels at 14 pt on the slide.
void TestExport::slidePlotIsLaidOutAtItsMinimum()
{
    const ExportOptions slide = ExportOptions::forPage(QSizeF(13.333, 7.5), 21.0);
    QVERIFY(slide.logicalSize.width() < 800);
    for (const QString& suffix : {QStringLiteral("png"), QStringLiteral("pdf"), QStringLiteral("svg")}) {
        PlotWithMinimum plot(QSize(800, 300));
        plot.addGraph()->setData(QVector<double>{1, 2}, QVector<double>{1, 2});
        QCOMPARE(FigureExporter::exportWidget(&plot, m_dir.filePath(QStringLiteral("minimum.") + suffix), slide), QString());
        QVERIFY(!plot.laidOut.isEmpty());
        QCOMPARE(plot.laidOut.last().width(), 800);
        QCOMPARE(plot.laidOut.last().height(), int(std::lround(800.0 * slide.logicalSize.height() / slide.logicalSize.width())));

        PlotWithMinimum wide(QSize(4000, 300));
        QCOMPARE(FigureExporter::exportWidget(&wide, m_dir.filePath(QStringLiteral("wide.") + suffix), slide), QString());
        const double tickPtOnSlide = 10.0 * slide.pageScale() * slide.logicalSize.width() / wide.laidOut.last().width();
        QVERIFY2(tickPtOnSlide >= 14.0 - 0.05, qPrintable(QString::number(tickPtOnSlide)));
    }
}

// Text is wrapped for the size an export lays the plot out at, before it is drawn: a title that fits the screen but
// not a narrow export comes out on two lines, for a plot that is not on screen at all too.
void TestExport::exportedTitlesAreFittedToTheExport()
{
    QCustomPlot plot;
    plot.plotLayout()->insertRow(0);
    const QString title = QStringLiteral("A rather long title that needs two lines in a narrow figure");
    auto* element = new QCPTextElement(&plot, title, QFont(QStringLiteral("DejaVu Sans"), 12, QFont::Bold));
    plot.plotLayout()->addElement(0, 0, element);
    QVERIFY(QFontMetrics(element->font()).horizontalAdvance(title) > 400);
    ExportOptions narrow;
    narrow.logicalSize = QSize(400, 300);
    QStringList drawn;
    connect(&plot, &QCustomPlot::afterLayout, &plot, [&] { drawn.append(element->text()); });
    QCOMPARE(FigureExporter::exportWidget(&plot, m_dir.filePath(QStringLiteral("title.png")), narrow), QString());
    QVERIFY(!drawn.isEmpty());
    QVERIFY2(drawn.last().contains(QLatin1Char('\n')), qPrintable(drawn.last()));
}

void TestExport::svgParses_data() { pdfHeader_data(); }

void TestExport::svgParses()
{
    QFETCH(QString, kind);
    ExportOptions options;
    options.logicalSize = QSize(640, 360);
    const QString path = m_dir.filePath(kind + QStringLiteral(".svg"));
    QCOMPARE(FigureExporter::exportWidget(target(kind), path, options), QString());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(bytes.contains("<svg"));
    QXmlStreamReader xml(bytes);
    int elements = 0;
    while (!xml.atEnd())
        if (xml.readNext() == QXmlStreamReader::StartElement)
            ++elements;
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(elements > 10);
}

void TestExport::transparentCorner()
{
    for (const QString& kind : {QStringLiteral("plot"), QStringLiteral("composite")}) {
        ExportOptions options;
        options.logicalSize = QSize(320, 200);
        options.transparentBackground = true;
        QString error;
        const QImage image = FigureExporter::renderImage(target(kind), options, &error);
        QVERIFY2(!image.isNull(), qPrintable(error));
        QCOMPARE(image.pixelColor(0, 0).alpha(), 0);
        QCOMPARE(image.pixelColor(image.width() - 1, image.height() - 1).alpha(), 0);
        options.transparentBackground = false;
        const QImage opaque = FigureExporter::renderImage(m_widget.get(), options, &error);
        QCOMPARE(opaque.pixelColor(0, 0).alpha(), 255);
    }
}

// Records the largest size a widget was given.
class LargestSize : public QObject {
public:
    QSize largest;
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::Resize)
            largest = largest.expandedTo(static_cast<QResizeEvent*>(event)->size());
        return QObject::eventFilter(watched, event);
    }
};

void TestExport::compositeLaidOutLargeEnough()
{
    // A whole panel is laid out at least at the size its theme's fonts need (1280x720 at the light font size), then
    // drawn scaled to the requested pixels: never clipped. At or above that size it is laid out as requested.
    ExportOptions options;
    options.logicalSize = QSize(1280, 720);
    for (const Theme::Id theme : {Theme::Id::Light, Theme::Id::Presentation}) {
        Theme::apply(*qApp, theme);
        const double fontScale = Theme::plotPalette().baseFontPt / Theme::PlotPalette{}.baseFontPt;
        for (const QSize requested : {QSize(1280, 720), QSize(1920, 1080)}) {
            EnergyBoundPanel panel;
            LargestSize spy;
            panel.installEventFilter(&spy);
            options.logicalSize = requested;
            const QImage image = FigureExporter::renderImage(&panel, options);
            QCOMPARE(image.size(), requested);
            const double factor = std::max(1.0, std::ceil(1280 * fontScale) / requested.width());
            QVERIFY2(std::abs(spy.largest.width() - requested.width() * factor) <= 1,
                     qPrintable(QStringLiteral("%1 at %2: laid out %3 wide").arg(Theme::name(theme)).arg(requested.width()).arg(spy.largest.width())));
        }
    }
    // Any composite whose contents need more room than asked is widened too, keeping the aspect ratio.
    Theme::apply(*qApp, Theme::Id::Light);
    options.logicalSize = QSize(400, 300);
    std::unique_ptr<QWidget> widget(makeComposite());
    widget->findChild<QLabel*>()->setMinimumWidth(1000);
    LargestSize spy;
    widget->installEventFilter(&spy);
    QVERIFY(!FigureExporter::renderImage(widget.get(), options).isNull());
    QVERIFY2(spy.largest.width() >= 1000 && std::abs(spy.largest.height() * 4 - spy.largest.width() * 3) <= 8,
             qPrintable(QStringLiteral("%1x%2").arg(spy.largest.width()).arg(spy.largest.height())));
    // A single plot is drawn by QCustomPlot itself at the requested size, whatever the theme.
    std::unique_ptr<QCustomPlot> plot(makePlot());
    plot->resize(200, 150);
    LargestSize plotSpy;
    plot->installEventFilter(&plotSpy);
    Theme::apply(*qApp, Theme::Id::Presentation);
    QCOMPARE(FigureExporter::renderImage(plot.get(), options).size(), QSize(400, 300));
    QVERIFY(plotSpy.largest.isEmpty() || plotSpy.largest.width() <= 400);
}

// The presentation theme's large fonts must leave with it: spin boxes and table headers once kept them after a switch
// back to the light or dark theme.
void TestExport::presentationFontsLeaveWithTheTheme()
{
    QWidget window;
    auto* layout = new QVBoxLayout(&window);
    auto* spin = new QDoubleSpinBox(&window);
    auto* table = new QTableWidget(3, 2, &window);
    table->setHorizontalHeaderLabels({QStringLiteral("feature"), QStringLiteral("density")});
    auto* label = new QLabel(QStringLiteral("text"), &window);
    layout->addWidget(spin);
    layout->addWidget(table);
    layout->addWidget(label);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto sizes = [&] {
        QCoreApplication::processEvents();
        return QList<qreal>{QFontInfo(spin->findChild<QLineEdit*>()->font()).pointSizeF(),
                            QFontInfo(table->horizontalHeader()->font()).pointSizeF(),
                            QFontInfo(table->font()).pointSizeF(), QFontInfo(label->font()).pointSizeF()};
    };
    for (Theme::Id back : {Theme::Id::Light, Theme::Id::Dark}) {
        Theme::apply(*qApp, back);
        const QList<qreal> before = sizes();
        Theme::apply(*qApp, Theme::Id::Presentation);
        const QList<qreal> presenting = sizes();
        for (int i = 0; i < presenting.size(); ++i)
            QVERIFY2(presenting[i] > before[i], qPrintable(QString::number(i)));
        Theme::apply(*qApp, back);
        const QList<qreal> after = sizes();
        for (int i = 0; i < after.size(); ++i)
            QVERIFY2(qAbs(after[i] - before[i]) < 0.01,
                     qPrintable(QStringLiteral("widget %1: %2 pt before, %3 pt after").arg(i).arg(before[i]).arg(after[i])));
    }
}

// A whole panel is exported without its control column unless asked for; the panel on screen keeps it.
void TestExport::wholePanelLeavesOutTheControls()
{
    QWidget panel;
    auto* layout = new QHBoxLayout(&panel);
    auto* form = new QWidget;
    form->setAutoFillBackground(true);
    QPalette magenta = form->palette();
    magenta.setColor(QPalette::Window, QColor(255, 0, 255)); // a colour no figure uses
    form->setPalette(magenta);
    form->setMinimumSize(200, 300);
    auto* controls = new ControlsScrollArea(form, 30, &panel);
    layout->addWidget(controls);
    layout->addWidget(makePlot(&panel), 1);
    panel.resize(900, 500);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    auto magentaPixels = [](const QImage& image) {
        int count = 0;
        for (int y = 0; y < image.height(); y += 2)
            for (int x = 0; x < image.width(); x += 2)
                count += image.pixelColor(x, y) == QColor(255, 0, 255);
        return count;
    };
    ExportOptions options;
    options.logicalSize = QSize(900, 500);
    QCOMPARE(magentaPixels(FigureExporter::renderImage(&panel, options)), 0);
    QVERIFY(!controls->isHidden()); // shown again after the export
    options.includeControls = true;
    QVERIFY(magentaPixels(FigureExporter::renderImage(&panel, options)) > 1000);
}

// Tight: the empty border goes, the drawn content stays whole with a small margin.
void TestExport::tightCropsToTheDrawnContent()
{
    QImage canvas(400, 300, QImage::Format_ARGB32);
    canvas.fill(Qt::white);
    for (int y = 100; y < 150; ++y)
        for (int x = 120; x < 200; ++x)
            canvas.setPixel(x, y, qRgb(20, 20, 200));
    const QImage cropped = FigureExporter::cropToContent(canvas, 8);
    QCOMPARE(cropped.size(), QSize(80 + 16, 50 + 16));
    QCOMPARE(QColor(cropped.pixel(8, 8)), QColor(20, 20, 200));
    QCOMPARE(QColor(cropped.pixel(7, 7)), QColor(Qt::white));
    QImage blank(50, 40, QImage::Format_ARGB32);
    blank.fill(Qt::white);
    QCOMPARE(FigureExporter::cropToContent(blank, 8).size(), QSize(50, 40)); // nothing drawn: kept
    // A real plot: tight is never larger, and the CLI flag reaches it.
    std::unique_ptr<QCustomPlot> plot(makePlot(nullptr));
    ExportOptions options;
    options.logicalSize = QSize(800, 600);
    const QImage full = FigureExporter::renderImage(plot.get(), options);
    options.tight = true;
    const QImage tight = FigureExporter::renderImage(plot.get(), options);
    QVERIFY(tight.width() <= full.width() && tight.height() <= full.height());
    QVERIFY(tight.width() * tight.height() < full.width() * full.height());
}

// The energy panel's Inputs form sits beside its results, not in a control column: it is left out all the same.
void TestExport::energyPanelExportLeavesOutItsInputs()
{
    EnergyBoundPanel panel;
    panel.resize(1280, 720);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QGroupBox* inputs = nullptr;
    for (QGroupBox* box : panel.findChildren<QGroupBox*>())
        if (box->title() == QLatin1String("Inputs"))
            inputs = box;
    QVERIFY(inputs);
    struct HideCounter : QObject {
        int hides = 0;
        bool eventFilter(QObject*, QEvent* event) override
        {
            hides += event->type() == QEvent::Hide;
            return false;
        }
    } counter;
    inputs->installEventFilter(&counter);
    ExportOptions options;
    options.logicalSize = QSize(1280, 720);
    QVERIFY(!FigureExporter::renderImage(&panel, options).isNull());
    QCOMPARE(counter.hides, 1);
    QVERIFY(!inputs->isHidden()); // back after the export
    options.includeControls = true;
    QVERIFY(!FigureExporter::renderImage(&panel, options).isNull());
    QCOMPARE(counter.hides, 1);
}

// Ctrl+E over a plot opens on that plot, not on the whole panel that also contains it.
void TestExport::figureUnderTheMouseIsPreselected()
{
    std::unique_ptr<QWidget> composite(makeComposite());
    auto* plot = composite->findChild<QCustomPlot*>();
    QVERIFY(plot);
    const QList<ExportTarget> targets{{QStringLiteral("Whole panel"), composite.get()}, {QStringLiteral("Curve"), plot}};
    QCOMPARE(ExportDialog::innermostTarget(targets, plot), 1);
    auto* insidePlot = new QWidget(plot); // a widget within the plot (the mouse may be over one)
    QCOMPARE(ExportDialog::innermostTarget(targets, insidePlot), 1);
    QCOMPARE(ExportDialog::innermostTarget(targets, composite.get()), 0);
    QCOMPARE(ExportDialog::innermostTarget(targets, nullptr), -1);
    // The order of the list does not matter.
    const QList<ExportTarget> reversed{targets[1], targets[0]};
    QCOMPARE(ExportDialog::innermostTarget(reversed, plot), 0);
}

// The panels write descriptions and notes in the palette's Mid colour: it must read at WCAG's 4.5:1 against the
// window in every theme (the light theme's once read at 2.3:1).
void TestExport::secondaryTextIsReadable()
{
    auto luminance = [](const QColor& c) {
        auto lin = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF());
    };
    for (Theme::Id theme : {Theme::Id::Light, Theme::Id::Dark, Theme::Id::Presentation}) {
        Theme::apply(*qApp, theme);
        const QPalette palette = QApplication::palette();
        const double a = luminance(palette.color(QPalette::Mid)), b = luminance(palette.color(QPalette::Window));
        const double contrast = (std::max(a, b) + 0.05) / (std::min(a, b) + 0.05);
        QVERIFY2(contrast >= 4.5, qPrintable(QStringLiteral("%1: %2:1").arg(Theme::name(theme)).arg(contrast, 0, 'f', 2)));
    }
}

void TestExport::themeChangesPlotBackground()
{
    std::unique_ptr<QCustomPlot> plot(makePlot());
    Theme::applyToPlot(plot.get(), Theme::Id::Light);
    const QColor light = plotBackground(plot.get());
    QVERIFY(light.lightness() > 200);
    Theme::apply(*qApp, Theme::Id::Dark);
    Theme::applyToPlot(plot.get());
    const QColor dark = plotBackground(plot.get());
    QVERIFY2(dark.lightness() < 60, qPrintable(dark.name()));
    QVERIFY(plot->xAxis->tickLabelColor().lightness() > 180); // labels readable on the dark background
    // The exporter themes too: a light-styled plot exported under the dark theme has a dark corner.
    ExportOptions options;
    options.logicalSize = QSize(200, 100);
    std::unique_ptr<QCustomPlot> fresh(makePlot());
    const QImage image = FigureExporter::renderImage(fresh.get(), options);
    QVERIFY(image.pixelColor(1, 1).lightness() < 60);
}

void TestExport::themeIsIdempotent()
{
    std::unique_ptr<QCustomPlot> plot(makePlot());
    Theme::applyToPlot(plot.get(), Theme::Id::Presentation);
    const double width = plot->graph(0)->pen().widthF();
    const double font = plot->xAxis->tickLabelFont().pointSizeF();
    QCOMPARE(width, 3.0); // 1.5 × 2
    Theme::applyToPlot(plot.get(), Theme::Id::Presentation);
    QCOMPARE(plot->graph(0)->pen().widthF(), width); // applying again does not compound
    QCOMPARE(plot->xAxis->tickLabelFont().pointSizeF(), font);
    Theme::applyToPlot(plot.get(), Theme::Id::Light);
    QCOMPARE(plot->graph(0)->pen().widthF(), 1.5); // and going back restores the plot's own pen
    QCOMPARE(plot->graph(0)->pen().color(), QColor(Qt::blue));
    // A pen the plot code sets later becomes the new original.
    plot->graph(0)->setPen(QPen(Qt::red, 1.0));
    Theme::applyToPlot(plot.get(), Theme::Id::Presentation);
    QCOMPARE(plot->graph(0)->pen().widthF(), 2.0);
}

void TestExport::dialogOptions()
{
    std::unique_ptr<QWidget> composite(makeComposite());
    composite->resize(500, 300);
    auto* plot = composite->findChild<QCustomPlot*>();
    ExportDialog dialog({{QStringLiteral("Whole panel"), composite.get()}, {QStringLiteral("Curve"), plot}},
                        QStringLiteral("test caption"), m_dir.path(), QStringLiteral("featurescope-test"));
    // The default is a full 16:9 slide: 13.33 × 7.5 in with 21 pt tick labels, laid out at 96 × 10 / 21 logical
    // pixels per inch (610 × 343), its PNG at 144 dpi (1920 × 1080).
    QCOMPARE(dialog.options().logicalSize, QSize(610, 343));
    QCOMPARE(dialog.options().pagePoints, QSizeF(13.333 * 72.0, 7.5 * 72.0));
    QCOMPARE(dialog.options().logicalSize * dialog.options().scale, QSize(1920, 1080));
    QVERIFY(!dialog.options().includeSelection);
    QVERIFY(dialog.path().endsWith(QStringLiteral("featurescope-test-whole-panel.png")));
    QVERIFY(dialog.caption().startsWith(QStringLiteral("test caption")));
    QVERIFY2(dialog.caption().contains(QStringLiteral("13.3 × 7.5 in (33.9 × 19.1 cm)")), qPrintable(dialog.caption()));
    // "Also write the data": the CSV and the matplotlib script land beside the picture.
    auto* data = dialog.findChild<QCheckBox*>(QStringLiteral("writeData"));
    QVERIFY(data);
    data->setChecked(true);
    QCOMPARE(dialog.exportToFile(), QString());
    const QString base = dialog.path().chopped(4);
    QVERIFY(QFile::exists(base + QStringLiteral(".csv")) && QFile::exists(base + QStringLiteral(".py")));
    data->setChecked(false);
    composite->resize(500, 300); // the export laid it out at its own size
    auto* preset = dialog.findChild<QComboBox*>(QStringLiteral("preset"));
    auto presetIndex = [&](const QString& start) {
        for (int i = 0; i < preset->count(); ++i)
            if (preset->itemText(i).startsWith(start))
                return i;
        return -1;
    };
    preset->setCurrentIndex(presetIndex(QStringLiteral("Screen 1920")));
    QCOMPARE(dialog.options().logicalSize, QSize(1920, 1080));
    QCOMPARE(dialog.options().scale, 2.0);
    QVERIFY(dialog.options().pagePoints.isEmpty());
    QVERIFY(dialog.caption().contains(QStringLiteral("1920×1080")));
    preset->setCurrentIndex(presetIndex(QStringLiteral("Current size")));
    QCOMPARE(dialog.options().logicalSize, QSize(500, 300));
    preset->setCurrentIndex(presetIndex(QStringLiteral("Custom")));
    dialog.findChild<QSpinBox*>(QStringLiteral("width"))->setValue(320);
    dialog.findChild<QSpinBox*>(QStringLiteral("height"))->setValue(240);
    QCOMPARE(dialog.options().logicalSize, QSize(320, 240));
    dialog.findChild<QComboBox*>(QStringLiteral("target"))->setCurrentIndex(1);
    QCOMPARE(dialog.targetWidget(), plot);
    QVERIFY(dialog.path().endsWith(QStringLiteral("featurescope-test-curve.png")));
    QCOMPARE(dialog.exportToFile(), QString());
    QCOMPARE(QImage(dialog.path()).size(), QSize(640, 480));
}

void TestExport::cliRenderDark()
{
    const QString binary = qEnvironmentVariable("FEATURESCOPE_BINARY");
    if (binary.isEmpty())
        QSKIP("FEATURESCOPE_BINARY is not set (CTest sets it)");
    const QString out = m_dir.filePath(QStringLiteral("energy-dark.png"));
    QProcess process;
    process.start(binary, {QStringLiteral("render"), QStringLiteral("--panel"), QStringLiteral("energy"),
                           QStringLiteral("--out"), out, QStringLiteral("--width"), QStringLiteral("640"),
                           QStringLiteral("--height"), QStringLiteral("360"), QStringLiteral("--scale"),
                           QStringLiteral("2"), QStringLiteral("--theme"), QStringLiteral("dark")});
    QVERIFY(process.waitForFinished(300000));
    const QByteArray err = process.readAllStandardError();
    QVERIFY2(process.exitCode() == 0, err.constData());
    QVERIFY2(!err.contains("propagateSizeHints"), err.constData()); // Qt's offscreen noise is filtered
    const QImage image(out);
    QCOMPARE(image.size(), QSize(1280, 720));
    QVERIFY2(image.pixelColor(0, 0).lightness() < 80, qPrintable(image.pixelColor(0, 0).name()));
    QVERIFY(image.pixelColor(image.width() - 1, image.height() - 1).lightness() < 80);

    QProcess bad;
    bad.start(binary, {QStringLiteral("render"), QStringLiteral("--panel"), QStringLiteral("energy"),
                       QStringLiteral("--out"), out, QStringLiteral("--theme"), QStringLiteral("neon")});
    QVERIFY(bad.waitForFinished(60000));
    QCOMPARE(bad.exitCode(), 2);
}

// `render --inches 13.333,7.5` writes a 16:9 slide: a 960 × 540 pt PDF page whose text is at least 14 pt, and a PNG
// at 144 dpi (1920 × 1080); a pixel size beside --inches is refused.
void TestExport::cliRenderSlide()
{
    const QString binary = qEnvironmentVariable("FEATURESCOPE_BINARY");
    if (binary.isEmpty())
        QSKIP("FEATURESCOPE_BINARY is not set (CTest sets it)");
    auto render = [&](const QString& out, const QStringList& extra) {
        QProcess process;
        process.start(binary, QStringList{QStringLiteral("render"), QStringLiteral("--panel"), QStringLiteral("energy"),
                                          QStringLiteral("--figure"), QStringLiteral("ratio-vs-temperature"),
                                          QStringLiteral("--out"), out} + extra);
        process.waitForFinished(300000);
        return process.exitCode() == 0 ? QByteArray() : process.readAllStandardError() + QByteArray(" ");
    };
    const QStringList slide{QStringLiteral("--inches"), QStringLiteral("13.333,7.5")};
    const QString pdf = m_dir.filePath(QStringLiteral("slide-energy.pdf"));
    QCOMPARE(render(pdf, slide), QByteArray());
    QFile file(pdf);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    const auto box = QRegularExpression(QStringLiteral("/MediaBox \\[0 0 ([0-9.]+) ([0-9.]+)\\]"))
                         .match(QString::fromLatin1(bytes));
    QVERIFY(box.hasMatch());
    QVERIFY2(qAbs(box.captured(1).toDouble() - 960.0) < 0.5 && qAbs(box.captured(2).toDouble() - 540.0) < 0.5,
             qPrintable(box.captured(0)));
    const QList<double> sizes = PdfText::fontSizes(bytes);
    QVERIFY(sizes.size() >= 10);
    QVERIFY2(*std::min_element(sizes.begin(), sizes.end()) >= 14.0,
             qPrintable(QString::number(*std::min_element(sizes.begin(), sizes.end()))));
    const QString png = m_dir.filePath(QStringLiteral("slide-energy.png"));
    QCOMPARE(render(png, slide), QByteArray());
    QCOMPARE(QImage(png).size(), QSize(1920, 1080));
    QVERIFY(render(png, slide + QStringList{QStringLiteral("--width"), QStringLiteral("800")}).contains("--inches"));
}

QTEST_MAIN(TestExport)
#include "tst_export.moc"

