// The scale-invariance lab widget, offscreen: the default (tied toy model) computes synchronously for rendering and
// its plots have data; the slider's c is evaluated live; the untied model, an imported matrix and (when installed)
// the bias-free Fashion-MNIST MLP compute in the background with the work signals. Set FEATURESCOPE_SCALE_PNG_DIR to
// also write every model's lab at 1280x720 for a look.

#include "panels/superposition/ScaleInvarianceTab.h"

#include "common/FigureExporter.h"
#include "io/SafetensorsFile.h"
#include "mlp/ImageDataset.h"
#include "plots/LogScatterPlot.h"

#include <QDir>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

namespace {

void maybeExport(ScaleInvarianceTab& lab, const QString& name)
{
    const QString dir = qEnvironmentVariable("FEATURESCOPE_SCALE_PNG_DIR");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    for (const QString& figure : lab.figureNames()) {
        const QString path = QDir(dir).filePath(QStringLiteral("%1-%2.png").arg(name, figure));
        const QString error = FigureExporter::exportWidget(lab.figureWidget(figure), path, ExportOptions{});
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
}

// Share of non-white pixels of a rendered widget: an empty plot is almost all white.
double inkFraction(QWidget* widget)
{
    FigureExporter::prepareWidget(widget, QSize(1280, 720));
    const QImage image = widget->grab().toImage();
    long long ink = 0;
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2)
            if (qGray(image.pixel(x, y)) < 200)
                ++ink;
    return double(ink) / (double(image.width() / 2) * (image.height() / 2));
}

} // namespace

class TestScaleLabWidget : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultRendersTiedToy();
    void sliderEvaluatesLive();
    void untiedModelInBackground();
    void importedMatrix();
    void fashionMlp();
    void cancel();
};

void TestScaleLabWidget::defaultRendersTiedToy()
{
    ScaleInvarianceTab lab;
    lab.resize(1280, 720);
    QCOMPARE(lab.figureNames().size(), 3);
    for (const QString& name : lab.figureNames())
        QVERIFY(lab.figureWidget(name) != nullptr);
    QVERIFY(lab.figureWidget(QStringLiteral("nope")) == nullptr);
    QVERIFY(!lab.lab()); // nothing computes before the lab is shown or rendered

    lab.prepareForRender();
    QVERIFY(lab.lab());
    QCOMPARE(lab.lab()->kind(), featurescope::ScaleInvarianceLab::Kind::TiedToy);
    QCOMPARE(int(lab.sweep().size()), 41);
    QVERIFY(lab.measuresPlot()->seriesWithData() >= 3); // D_i dots, mean D_i, features per dimension (+ marker)
    QVERIFY(lab.outputPlot()->seriesWithData() >= 1);   // the loss curve
    QVERIFY2(lab.reading().contains(QStringLiteral("slope 2.00")), qPrintable(lab.reading()));
    QVERIFY2(lab.reading().contains(QStringLiteral("not free")), qPrintable(lab.reading()));
    QVERIFY(lab.summary().lossLargerAwayFromOne);
    QVERIFY(lab.currentPoint() != nullptr);
    QCOMPARE(lab.currentPoint()->scale, 1.0);
    QVERIFY(lab.readout().contains(QStringLiteral("loss")));
    QVERIFY(inkFraction(&lab) > 0.02);
    maybeExport(lab, QStringLiteral("tied"));
}

void TestScaleLabWidget::sliderEvaluatesLive()
{
    ScaleInvarianceTab lab;
    lab.prepareForRender();
    const featurescope::ScaleInvariancePoint one = lab.lab()->reference();
    for (double c : {0.1, 0.5, 2.0, 10.0}) {
        lab.setScale(c);
        lab.waitForWork();
        QVERIFY(std::abs(lab.scale() / c - 1.0) < 0.025); // the slider moves in steps of 0.01 decades
        const featurescope::ScaleInvariancePoint* p = lab.currentPoint();
        QVERIFY(p != nullptr);
        QCOMPARE(p->scale, lab.scale());
        QVERIFY(std::abs(p->featuresPerDimension / (p->scale * p->scale * one.featuresPerDimension) - 1.0) <= 1e-6);
        QVERIFY(std::abs(p->meanDimensionality - one.meanDimensionality) <= 1e-6);
        QVERIFY(p->loss > one.loss);
        QVERIFY(lab.readout().contains(QStringLiteral("c = ")));
    }
    lab.setScale(100.0); // clamped to the slider's end
    QVERIFY(std::abs(lab.scale() - 10.0) < 1e-9);
}

void TestScaleLabWidget::untiedModelInBackground()
{
    ScaleInvarianceTab lab;
    lab.resize(1280, 720);
    QSignalSpy started(&lab, &ScaleInvarianceTab::workStarted);
    QSignalSpy finished(&lab, &ScaleInvarianceTab::workFinished);
    lab.setModel(ScaleInvarianceTab::Model::UntiedToy);
    QCOMPARE(started.size(), 1);
    lab.waitForWork();
    QCOMPARE(finished.size(), 1);
    QVERIFY(lab.lab());
    QCOMPARE(lab.lab()->kind(), featurescope::ScaleInvarianceLab::Kind::UntiedToy);
    QVERIFY(lab.summary().maxRelativeLossChange < 1e-5); // encoder x c, decoder / c: the loss is flat
    QVERIFY(lab.outputPlot()->seriesWithData() >= 2);    // compensated and encoder-only losses
    QVERIFY2(lab.reading().contains(QStringLiteral("untied")), qPrintable(lab.reading()));
    maybeExport(lab, QStringLiteral("untied"));
}

void TestScaleLabWidget::importedMatrix()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("layer.safetensors"));
    // A pentagon in 2 dimensions as an nn.Linear weight [out = 2, in = 5] and a 3 x 40 random-ish matrix.
    std::vector<float> pentagon;
    for (int row = 0; row < 2; ++row)
        for (int k = 0; k < 5; ++k)
            pentagon.push_back(float(row == 0 ? std::cos(2.0 * M_PI * k / 5) : std::sin(2.0 * M_PI * k / 5)));
    featurescope::SafetensorsFile::write(path.toStdString(),
                                         {{"pentagon", featurescope::ArrayData::fromFloats({2, 5}, pentagon.data())}});
    ScaleInvarianceTab lab;
    lab.resize(1280, 720);
    lab.setMatrixFile(path, QStringLiteral("pentagon"));
    lab.waitForWork();
    QVERIFY2(lab.lab(), qPrintable(lab.statusText()));
    QCOMPARE(lab.model(), ScaleInvarianceTab::Model::File);
    QCOMPARE(lab.lab()->kind(), featurescope::ScaleInvarianceLab::Kind::Matrix);
    QVERIFY(std::abs(lab.lab()->reference().meanDimensionality - 0.4) < 1e-5); // D_i = 2/5 for a pentagon
    QVERIFY(std::abs(lab.lab()->reference().featuresPerDimension - 2.5) < 1e-5);
    QVERIFY(lab.outputPlot()->seriesWithData() >= 2);
    maybeExport(lab, QStringLiteral("matrix"));

    lab.setMatrixFile(path, QStringLiteral("missing"));
    lab.waitForWork();
    QVERIFY2(lab.statusText().contains(QStringLiteral("missing")), qPrintable(lab.statusText()));
}

void TestScaleLabWidget::fashionMlp()
{
    const std::string dir = featurescope::ImageDataset::defaultFashionMnistDirectory();
    if (!featurescope::ImageDataset::hasSplit(dir, "train") || !featurescope::ImageDataset::hasSplit(dir, "t10k"))
        QSKIP("Fashion-MNIST not installed (Debian package dataset-fashion-mnist)");
    ScaleInvarianceTab lab;
    lab.resize(1280, 720);
    QSignalSpy progress(&lab, &ScaleInvarianceTab::workProgress);
    lab.setModel(ScaleInvarianceTab::Model::FashionMlp);
    lab.waitForWork();
    QVERIFY2(lab.lab(), qPrintable(lab.statusText()));
    QCOMPARE(lab.lab()->kind(), featurescope::ScaleInvarianceLab::Kind::Classifier);
    QVERIFY(lab.lab()->biasFree());
    QCOMPARE(lab.summary().maxPredictionsChanged, 0);
    QVERIFY(lab.summary().meanMaxProbabilityAtMin < lab.summary().meanMaxProbabilityAtMax);
    QTRY_VERIFY(progress.size() > 0); // queued from the worker thread: delivered by the event loop
    QVERIFY(lab.measuresPlot()->seriesWithData() >= 4); // + accuracy
    lab.setScale(3.0);
    lab.waitForWork();
    QVERIFY(lab.currentPoint() && std::abs(lab.currentPoint()->scale - lab.scale()) < 1e-12);
    QCOMPARE(lab.currentPoint()->predictionsChanged, 0);
    maybeExport(lab, QStringLiteral("fashion"));
}

void TestScaleLabWidget::cancel()
{
    ScaleInvarianceTab lab;
    QSignalSpy finished(&lab, &ScaleInvarianceTab::workFinished);
    lab.setModel(ScaleInvarianceTab::Model::UntiedToy);
    lab.cancelWork();
    lab.waitForWork();
    QVERIFY(!lab.isBusy());
    QCOMPARE(finished.size(), 1);
    // Switching models while one computes: the newest request wins.
    lab.setModel(ScaleInvarianceTab::Model::TiedToy);
    lab.setModel(ScaleInvarianceTab::Model::UntiedToy);
    lab.waitForWork();
    QVERIFY(lab.lab());
    QCOMPARE(lab.lab()->kind(), featurescope::ScaleInvarianceLab::Kind::UntiedToy);
}

QTEST_MAIN(TestScaleLabWidget)
#include "tst_scale_lab_widget.moc"
