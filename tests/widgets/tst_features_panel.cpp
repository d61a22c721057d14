// The Feature activations panel, offscreen: a tiny SAE trains in the background and every view follows it (metrics
// strip, density histogram, feature table, feature view), selection is shared between the views, the filter box
// filters, Stop ends training promptly, bad input is reported in the panel, and every figure has content.
#include "common/Theme.h"
#include "panels/features/ControlView.h"
#include "panels/features/FeatureActivationsPanel.h"
#include "panels/features/FeatureDensityHistogram.h"
#include "panels/features/FeatureControlsWidget.h"
#include "panels/features/FeatureDetailView.h"
#include "panels/features/FeatureFilterProxyModel.h"
#include "panels/features/FeatureTableModel.h"
#include "panels/features/MetricsStrip.h"
#include "plots/DirectionPlot.h"
#include "plots/FeaturePalette.h"
#include "plots/HistogramPlot.h"
#include "plots/ImageGridWidget.h"
#include "plots/LossCurvePlot.h"

#include "mlp/ImageDataset.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTableWidget>
#include <QTabWidget>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <cmath>

using featurescope::SaeExperimentConfig;

namespace {

// Small enough to train in well under a second.
SaeExperimentConfig tinyConfig()
{
    SaeExperimentConfig c;
    c.source = SaeExperimentConfig::Source::Synthetic;
    c.syntheticFeatures = 32;
    c.syntheticDimension = 16;
    c.syntheticMeanActive = 3.0;
    c.sae.latentDim = 64;
    c.sae.l1 = 6e-3;
    c.training.steps = 300;
    c.training.batch = 128;
    c.training.learningRate = 3e-3;
    c.training.seed = 1;
    return c;
}

bool hasNumber(const QString& text) { return text.contains(QRegularExpression(QStringLiteral("\\d"))); }

bool hasFashionMnist()
{
    const std::string dir = featurescope::ImageDataset::defaultFashionMnistDirectory();
    return featurescope::ImageDataset::hasSplit(dir, "train") && featurescope::ImageDataset::hasSplit(dir, "t10k");
}

} // namespace

class TestFeaturesPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void askingForFiguresKeepsTheTab();
    void cleanup();
    void identity();
    void trainsAndShowsMetrics();
    void selectionIsShared();
    void densityBinSelectsItsFeatures();
    void filterQueries_data();
    void filterQueries();
    void liveUpdatesWithoutStalling();
    void cancelStopsTraining();
    void badInputShowsError();
    void everyFigureHasContent();
    void imageSourceShowsThumbnails();
    void everyControlHasATooltip();
    void controlHeadingsFollowTheTheme();

private:
    void trainTiny(const SaeExperimentConfig& config = tinyConfig());
    FeatureActivationsPanel* m_panel = nullptr;
};

void TestFeaturesPanel::init()
{
    m_panel = new FeatureActivationsPanel;
    // Offscreen and never auto-trained on show: the tests start training themselves.
    m_panel->setAttribute(Qt::WA_DontShowOnScreen);
    m_panel->resize(1280, 720);
    m_panel->show();
}

// The export dialog and session restore ask the panel for every figure: that must not switch its tab (it once
// opened on the empty "Randomized control" tab).
void TestFeaturesPanel::askingForFiguresKeepsTheTab()
{
    auto* tabs = m_panel->findChild<QTabWidget*>();
    QVERIFY(tabs);
    QCOMPARE(tabs->currentIndex(), 0);
    for (const QString& name : m_panel->figureNames())
        m_panel->figureWidget(name);
    QCOMPARE(tabs->currentIndex(), 0);
    tabs->setCurrentIndex(2);
    for (const QString& name : m_panel->figureNames())
        m_panel->figureWidget(name);
    QCOMPARE(tabs->currentIndex(), 2);
}

void TestFeaturesPanel::cleanup()
{
    delete m_panel;
    m_panel = nullptr;
}

void TestFeaturesPanel::trainTiny(const SaeExperimentConfig& config)
{
    m_panel->controls()->setConfig(config);
    QSignalSpy started(m_panel, &Panel::workStarted);
    QSignalSpy finished(m_panel, &Panel::workFinished);
    m_panel->startTraining();
    QCOMPARE(started.count(), 1);
    m_panel->waitForTraining();
    QCOMPARE(finished.count(), 1);
    QVERIFY(!m_panel->isBusy());
    QVERIFY(m_panel->snapshot());
    QVERIFY(m_panel->snapshot()->final);
}

void TestFeaturesPanel::identity()
{
    QCOMPARE(m_panel->panelId(), QStringLiteral("features"));
    QCOMPARE(m_panel->title(), QStringLiteral("Feature activations"));
    for (const QString& name : {QStringLiteral("density-histogram"), QStringLiteral("feature-activations"),
                                QStringLiteral("top-examples"), QStringLiteral("control-purity")})
        QVERIFY2(m_panel->figureNames().contains(name), qPrintable(name));
    QVERIFY(!m_panel->isBusy());
    QVERIFY(!m_panel->snapshot()); // showing offscreen does not start training
}

void TestFeaturesPanel::trainsAndShowsMetrics()
{
    trainTiny();
    const auto& snapshot = *m_panel->snapshot();
    QCOMPARE(snapshot.step, 300);
    QVERIFY(snapshot.statusMessage.isEmpty());
    // Metrics strip: numbers everywhere that applies (synthetic: MMCS known, no labels).
    auto* strip = m_panel->metricsStrip();
    for (auto metric : {MetricsStrip::L0, MetricsStrip::Mse, MetricsStrip::Variance, MetricsStrip::Dead,
                        MetricsStrip::Dense, MetricsStrip::Mmcs})
        QVERIFY2(hasNumber(strip->valueText(metric)), qPrintable(strip->valueText(metric)));
    QVERIFY(strip->footnote().contains(QStringLiteral("final")));
    const double mmcs = strip->valueText(MetricsStrip::Mmcs).toDouble();
    QVERIFY2(mmcs > 0.5 && mmcs <= 1.0, qPrintable(strip->valueText(MetricsStrip::Mmcs)));
    QVERIFY(std::abs(mmcs - snapshot.metrics().mmcs) < 1e-3);

    // Dictionary views.
    QCOMPARE(m_panel->tableModel()->rowCount(), 64);
    QCOMPARE(m_panel->proxyModel()->rowCount(), 64);
    QCOMPARE(m_panel->tableView()->model()->rowCount(), 64);
    QVERIFY(m_panel->densityPlot()->hasData());
    double total = 0.0;
    for (double c : m_panel->densityPlot()->series(0).counts)
        total += c;
    QCOMPARE(int(total) + int(std::lround(snapshot.metrics().deadFraction * 64)), 64);
    // The dense band starts at the threshold the metrics count dense features with, and reaches density 1.
    const auto& bands = m_panel->densityPlot()->bands();
    const auto dense = std::find_if(bands.begin(), bands.end(), [](const HistogramPlot::Band& b) {
        return b.label.startsWith(QStringLiteral("dense"));
    });
    QVERIFY(dense != bands.end());
    QVERIFY(std::abs(dense->from - std::log10(snapshot.metrics().denseThreshold)) < 1e-12);
    QCOMPARE(dense->to, 0.0);
    QVERIFY(m_panel->densityPlot()->visibleBands() >= 1);
    QVERIFY(m_panel->densityPlot()->toolTip().contains(QStringLiteral("dense features, above")));
    QVERIFY(m_panel->densityPlot()->title().contains(QStringLiteral("silent")));
    QCOMPARE(m_panel->lossPlot()->curveCount(), 2);
    // Something is selected by default and shown.
    QVERIFY(m_panel->selectedFeature() >= 0 && m_panel->selectedFeature() < 64);
    QCOMPARE(m_panel->detailView()->feature(), m_panel->selectedFeature());
}

void TestFeaturesPanel::selectionIsShared()
{
    trainTiny();
    const auto& snapshot = *m_panel->snapshot();
    // An alive feature that is not the current selection.
    int target = -1;
    for (int j = 0; j < snapshot.latentDim() && target < 0; ++j)
        if (snapshot.densities[std::size_t(j)] > 0.0 && j != m_panel->selectedFeature())
            target = j;
    QVERIFY(target >= 0);

    // From the panel API: table row, density marker, feature view.
    m_panel->setSelectedFeature(target);
    QCOMPARE(m_panel->selectedFeature(), target);
    const QModelIndex current = m_panel->tableView()->selectionModel()->currentIndex();
    QCOMPARE(m_panel->proxyModel()->mapToSource(current).row(), target);
    QVERIFY(std::abs(m_panel->densityPlot()->markerPosition() - std::log10(snapshot.densities[std::size_t(target)])) < 1e-9);
    auto* view = m_panel->detailView();
    QCOMPARE(view->feature(), target);
    QVERIFY2(view->headerText().contains(QStringLiteral("Feature %1").arg(target)), qPrintable(view->headerText()));
    QVERIFY(view->activationPlot()->hasData());
    QVERIFY(view->activationPlot()->title().contains(QStringLiteral("density")));
    QVERIFY(view->topRows()->rowCount() > 0); // non-image source: rows of values
    QVERIFY(view->nearestList()->count() > 0);
    QVERIFY(view->findChild<QLabel*>(QStringLiteral("trueMatch"))->text().contains(QStringLiteral("true feature")));

    // From the table: selecting another row selects that feature everywhere.
    const int row = current.row() == 0 ? 1 : 0;
    m_panel->tableView()->selectionModel()->setCurrentIndex(m_panel->proxyModel()->index(row, 0),
                                                            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    const int fromTable = m_panel->proxyModel()->mapToSource(m_panel->proxyModel()->index(row, 0)).row();
    QCOMPARE(m_panel->selectedFeature(), fromTable);
    QCOMPARE(view->feature(), fromTable);

    // From the nearest-features list: a click jumps to that feature.
    QListWidgetItem* item = view->nearestList()->item(0);
    QVERIFY(item);
    const int nearest = item->data(Qt::UserRole).toInt();
    Q_EMIT view->nearestList()->itemClicked(item);
    QCOMPARE(m_panel->selectedFeature(), nearest);
    QCOMPARE(view->feature(), nearest);
    QCOMPARE(m_panel->proxyModel()->mapToSource(m_panel->tableView()->selectionModel()->currentIndex()).row(), nearest);
}

void TestFeaturesPanel::densityBinSelectsItsFeatures()
{
    trainTiny();
    auto* plot = m_panel->densityPlot();
    int bin = -1;
    for (int b = 0; b < plot->binCount() && bin < 0; ++b)
        if (plot->series(0).counts[std::size_t(b)] >= 2)
            bin = b;
    QVERIFY(bin >= 0);
    const auto features = m_panel->densityPlot()->featuresInBin(bin);
    QCOMPARE(int(features.size()), int(plot->series(0).counts[std::size_t(bin)]));
    Q_EMIT plot->binClicked(bin, plot->edges()[std::size_t(bin)]);
    const int first = m_panel->selectedFeature();
    QVERIFY(std::find(features.begin(), features.end(), first) != features.end());
    // A second click on the same bar steps to the next feature of that bar.
    Q_EMIT plot->binClicked(bin, plot->edges()[std::size_t(bin)]);
    QVERIFY(m_panel->selectedFeature() != first);
    QVERIFY(std::find(features.begin(), features.end(), m_panel->selectedFeature()) != features.end());
    QCOMPARE(m_panel->detailView()->feature(), m_panel->selectedFeature());
}

void TestFeaturesPanel::filterQueries_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<bool>("valid");
    QTest::newRow("index") << "7" << true;
    QTest::newRow("range") << "10-19" << true;
    QTest::newRow("dead") << "dead" << true;
    QTest::newRow("alive and dense") << "alive dense" << true;
    QTest::newRow("density") << "density>0.01" << true;
    QTest::newRow("percent") << "density>=1%" << true;
    QTest::newRow("match") << "cos>0.9" << true;
    QTest::newRow("unknown word") << "banana" << false;
}

void TestFeaturesPanel::filterQueries()
{
    QFETCH(QString, query);
    QFETCH(bool, valid);
    trainTiny();
    auto* search = m_panel->findChild<QLineEdit*>(QStringLiteral("featureSearch"));
    QVERIFY(search);
    search->setText(query);
    const auto* model = m_panel->tableModel();
    const auto& s = *m_panel->snapshot();
    int expected = 0;
    for (int j = 0; j < model->rowCount(); ++j) {
        const double d = s.densities[std::size_t(j)];
        bool pass = true;
        if (query == QLatin1String("7"))
            pass = j == 7;
        else if (query == QLatin1String("10-19"))
            pass = j >= 10 && j <= 19;
        else if (query == QLatin1String("dead"))
            pass = d <= 0.0;
        else if (query == QLatin1String("alive dense"))
            pass = d > 0.01;
        else if (query == QLatin1String("density>0.01") || query == QLatin1String("density>=1%"))
            pass = d >= 0.01 && (query.contains(QLatin1Char('=')) || d > 0.01);
        else if (query == QLatin1String("cos>0.9"))
            pass = s.bestTrueCosine[std::size_t(j)] > 0.9f;
        else
            pass = false;
        expected += pass ? 1 : 0;
    }
    QCOMPARE(m_panel->proxyModel()->rowCount(), expected);
    QCOMPARE(m_panel->proxyModel()->queryError().isEmpty(), valid);
    search->clear();
    QCOMPARE(m_panel->proxyModel()->rowCount(), model->rowCount());
}

void TestFeaturesPanel::liveUpdatesWithoutStalling()
{
    auto config = tinyConfig();
    config.training.steps = 4000;
    config.sae.latentDim = 256;
    config.training.batch = 512;
    m_panel->controls()->setConfig(config);
    // Measure the longest gap between ticks of a 10 ms timer while training updates the views.
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0, worst = 0;
    QTimer tick;
    tick.setInterval(10);
    connect(&tick, &QTimer::timeout, this, [&] {
        const qint64 now = clock.elapsed();
        worst = std::max(worst, now - last);
        last = now;
    });
    int liveSnapshots = 0;
    int lastStep = -1;
    bool monotonic = true;
    QTimer probe;
    probe.setInterval(5);
    connect(&probe, &QTimer::timeout, this, [&] {
        const auto s = m_panel->snapshot();
        if (s && !s->final && s->step != lastStep) {
            ++liveSnapshots;
            monotonic = monotonic && s->step > lastStep;
            lastStep = s->step;
        }
    });
    m_panel->startTraining();
    last = clock.elapsed();
    tick.start();
    probe.start();
    QTRY_VERIFY_WITH_TIMEOUT(!m_panel->isBusy(), 15000);
    tick.stop();
    probe.stop();
    QCoreApplication::sendPostedEvents();
    QVERIFY(m_panel->snapshot()->final);
    QVERIFY2(liveSnapshots >= 2, qPrintable(QString::number(liveSnapshots)));
    QVERIFY(monotonic);
    // The event loop keeps running while training (generous bound for a loaded shared machine).
    QVERIFY2(worst < 1000, qPrintable(QStringLiteral("longest event-loop gap %1 ms").arg(worst)));
    qInfo("live snapshots: %d, longest event-loop gap: %lld ms", liveSnapshots, worst);
}

void TestFeaturesPanel::cancelStopsTraining()
{
    auto config = tinyConfig();
    config.training.steps = 10000000; // would take hours
    m_panel->controls()->setConfig(config);
    QSignalSpy finished(m_panel, &Panel::workFinished);
    m_panel->startTraining();
    QVERIFY(m_panel->isBusy());
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->snapshot() != nullptr, 5000); // the first live update
    QElapsedTimer clock;
    clock.start();
    m_panel->cancelWork();
    m_panel->waitForTraining();
    QVERIFY2(clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY(!m_panel->isBusy());
    QCOMPARE(finished.count(), 1);
    QVERIFY2(finished.first().first().toString().contains(QStringLiteral("Stopped")),
             qPrintable(finished.first().first().toString()));
    // What was trained is kept and evaluated.
    const auto snapshot = m_panel->snapshot();
    QVERIFY(snapshot->final);
    QVERIFY(snapshot->step > 0 && snapshot->step < config.training.steps);
    QVERIFY(snapshot->statusMessage.contains(QStringLiteral("stopped")));
    QCOMPARE(m_panel->tableModel()->rowCount(), config.sae.latentDim);
}

void TestFeaturesPanel::badInputShowsError()
{
    auto* status = m_panel->findChild<QLabel*>(QStringLiteral("featuresStatus"));
    QVERIFY(status);
    // A folder without IDX files.
    auto config = tinyConfig();
    config.source = SaeExperimentConfig::Source::FashionMnist;
    config.dataDirectory = QDir::tempPath().toStdString() + "/no-such-featurescope-folder";
    m_panel->controls()->setConfig(config);
    QSignalSpy started(m_panel, &Panel::workStarted);
    m_panel->startTraining();
    QCOMPARE(started.count(), 0);
    QVERIFY(!m_panel->isBusy());
    QVERIFY2(status->text().contains(QStringLiteral("no IDX image set")), qPrintable(status->text()));
    // The control needs the same folder.
    m_panel->startControl();
    QVERIFY(!m_panel->isBusy());
    QVERIFY2(status->text().contains(QStringLiteral("no IDX image set")), qPrintable(status->text()));
    // TopK with k above d_sae.
    config = tinyConfig();
    config.sae.variant = featurescope::SaeVariant::TopK;
    config.sae.latentDim = 8;
    config.sae.k = 20;
    m_panel->controls()->setConfig(config);
    m_panel->startTraining();
    QCOMPARE(started.count(), 0);
    QVERIFY(!m_panel->isBusy());
    QVERIFY2(status->text().contains(QStringLiteral("color:#c0392b")), qPrintable(status->text()));
    // A valid configuration afterwards trains normally and clears the error.
    trainTiny();
    QVERIFY(!status->text().contains(QStringLiteral("color:#c0392b")));
}

void TestFeaturesPanel::everyFigureHasContent()
{
    trainTiny();
    for (const QString& name : m_panel->figureNames()) {
        QWidget* widget = m_panel->figureWidget(name);
        QVERIFY2(widget, qPrintable(name));
    }
    QVERIFY(qobject_cast<HistogramPlot*>(m_panel->figureWidget(QStringLiteral("density-histogram")))->hasData());
    QVERIFY(qobject_cast<HistogramPlot*>(m_panel->figureWidget(QStringLiteral("feature-activations")))->hasData());
    auto* direction = qobject_cast<DirectionPlot*>(m_panel->figureWidget(QStringLiteral("mean-input")));
    QVERIFY(direction); // non-image source: the decoder direction against its true feature
    QCOMPARE(direction->dimension(), 16);
    auto* top = m_panel->figureWidget(QStringLiteral("top-examples"));
    auto* rows = top->findChild<QTableWidget*>();
    QVERIFY(rows && rows->rowCount() > 0);
    QVERIFY(qobject_cast<LossCurvePlot*>(m_panel->figureWidget(QStringLiteral("training-loss")))->curveCount() == 2);
}

void TestFeaturesPanel::imageSourceShowsThumbnails()
{
    if (!hasFashionMnist())
        QSKIP("Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)");
    auto config = tinyConfig();
    config.source = SaeExperimentConfig::Source::FashionMnist;
    config.dataDirectory = featurescope::ImageDataset::defaultFashionMnistDirectory();
    config.mlpEpochs = 1;
    config.sae.latentDim = 128;
    config.sae.l1 = 0.02;
    config.sae.normalizeInputs = true;
    config.training.steps = 200;
    config.training.batch = 256;
    trainTiny(config);
    const auto& s = *m_panel->snapshot();
    QVERIFY(s.hasImages() && s.hasLabels());
    QCOMPARE(s.classNames.size(), 10);
    QVERIFY(hasNumber(m_panel->metricsStrip()->valueText(MetricsStrip::Purity)));
    // Select the feature with the most examples: a full grid of thumbnails with activation and label.
    int best = 0;
    for (int j = 0; j < s.latentDim(); ++j)
        if (s.densities[std::size_t(j)] > s.densities[std::size_t(best)])
            best = j;
    m_panel->setSelectedFeature(best);
    auto* grid = m_panel->detailView()->topGrid();
    QCOMPARE(grid->tileCount(), 20);
    QCOMPARE(grid->tile(0).rows, 28);
    QVERIFY(grid->tile(0).caption.contains(QLatin1Char('\n'))); // value and label
    auto* mean = qobject_cast<ImageGridWidget*>(m_panel->figureWidget(QStringLiteral("mean-input")));
    QVERIFY(mean && mean->tileCount() == 1);
}

// The control table's column headings ("trained MLP", "shuffled weights") are in the theme's text colour, keyed to
// the histograms by a square in each side's data colour as the current theme draws it (they were written in the data
// colours themselves: dark blue on dark grey in the dark theme), and the keys follow a theme change.
void TestFeaturesPanel::controlHeadingsFollowTheTheme()
{
    Theme::apply(*qApp, Theme::Id::Light);
    ControlView view;
    auto control = std::make_shared<featurescope::ControlComparison>();
    control->trained.name = "trained MLP";
    control->trained.accuracy = 0.84;
    control->trained.purities = {0.9, 0.8, 0.7};
    control->trained.coherences = {0.5, 0.4, 0.3};
    control->trained.densities = {0.1, 0.0, 0.05};
    control->shuffled = control->trained;
    control->shuffled.name = "shuffled weights";
    view.setComparison(control);
    auto* table = view.findChild<QLabel*>(QStringLiteral("controlTable"));
    QVERIFY(table);
    const QString lightKey = Theme::dataColor(FeaturePalette::featureColor(0)).name();
    QVERIFY(table->text().contains(lightKey));
    Theme::apply(*qApp, Theme::Id::Dark);
    const QString darkKey = Theme::dataColor(FeaturePalette::featureColor(0)).name();
    QVERIFY(darkKey != lightKey);
    QTRY_VERIFY2(table->text().contains(darkKey), qPrintable(table->text()));
    // Every colour in the table colours a key square only, never a name.
    const QRegularExpression coloured(QStringLiteral("style='color:#[0-9a-f]{6}'>([^<]*)<"));
    int keys = 0;
    for (auto it = coloured.globalMatch(table->text()); it.hasNext(); ++keys)
        QCOMPARE(it.next().captured(1), QStringLiteral("&#9632;"));
    QCOMPARE(keys, 2);
    QVERIFY(table->text().contains(QStringLiteral("&nbsp;trained MLP</th>")));
    if (const QString dir = qEnvironmentVariable("FEATURESCOPE_PLOT_PNG_DIR"); !dir.isEmpty()) { // for a look
        view.resize(1100, 700);
        QVERIFY(view.grab().save(dir + QStringLiteral("/control_dark.png")));
    }
    Theme::apply(*qApp, Theme::Id::Light);
}

void TestFeaturesPanel::everyControlHasATooltip()
{
    for (auto* spin : m_panel->findChildren<QSpinBox*>())
        QVERIFY2(!spin->toolTip().isEmpty(), qPrintable(spin->objectName()));
    for (auto* spin : m_panel->findChildren<QDoubleSpinBox*>())
        QVERIFY2(!spin->toolTip().isEmpty(), qPrintable(spin->objectName()));
    for (auto* combo : m_panel->findChildren<QComboBox*>())
        QVERIFY2(!combo->toolTip().isEmpty(), qPrintable(combo->objectName()));
    for (auto* check : m_panel->findChildren<QCheckBox*>())
        QVERIFY2(!check->toolTip().isEmpty(), qPrintable(check->objectName()));
    for (auto* button : m_panel->findChildren<QPushButton*>())
        QVERIFY2(!button->toolTip().isEmpty(), qPrintable(button->text()));
    for (auto* edit : m_panel->findChildren<QLineEdit*>()) {
        if (qobject_cast<QAbstractSpinBox*>(edit->parentWidget()) || qobject_cast<QComboBox*>(edit->parentWidget()))
            continue; // a spin box's or combo box's own line edit
        QVERIFY2(!edit->toolTip().isEmpty(), qPrintable(edit->objectName()));
    }
}

QTEST_MAIN(TestFeaturesPanel)
#include "tst_features_panel.moc"
