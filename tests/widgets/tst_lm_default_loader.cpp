// LmDefaultLoader: on a fresh cache it trains the default language model and SAE in the background (the job is
// listed, the view fills when it ends) and scans them; with a ready cache it only scans; a view with sources of its
// own is left alone.
#include "common/BackgroundJob.h"
#include "lmfeatures/DefaultLanguageModel.h"
#include "panels/lm/LmDefaultLoader.h"
#include "panels/lm/LmFeaturesView.h"
#include "panels/lm/LmSourceForm.h"

#include <QPushButton>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>

class TestLmDefaultLoader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void trainsThenScans()
    {
        QTemporaryDir dir;
        featurescope::DefaultLanguageModelRecipe recipe;
        recipe.modelSteps = 10;
        recipe.saeSteps = 30;
        recipe.latents = 48;
        recipe.positions = 1024;
        const QString cache = dir.filePath(QStringLiteral("cache"));
        LmFeaturesView view;
        LmDefaultLoader* loader = LmDefaultLoader::start(&view, cache, recipe);
        QVERIFY(!view.data()); // training first, in the background
        QVERIFY(loader->loadsDefault());
        // The view's own form says what is happening and can cancel it.
        QVERIFY(view.form()->cancelButton()->isEnabled());
        QVERIFY(!view.form()->scanButton()->isEnabled());
        QVERIFY2(view.form()->statusText().contains(QStringLiteral("First start")), qPrintable(view.form()->statusText()));
        QElapsedTimer clock;
        clock.start();
        while (!view.data() && clock.elapsed() < 240000)
            QTest::qWait(50);
        QVERIFY2(view.data(), "the default model was not trained and scanned in time");
        QVERIFY(featurescope::DefaultLanguageModel::ready(cache.toStdString()));
        QCOMPARE(view.data()->summaries().size(), std::size_t(48));
        Q_UNUSED(loader);

        // A second view on the same cache scans at once, without training.
        const auto weights = std::filesystem::path(featurescope::DefaultLanguageModel::paths(cache.toStdString()).sae) /
                             "sae_weights.safetensors";
        const auto written = std::filesystem::last_write_time(weights);
        LmFeaturesView again;
        LmDefaultLoader::start(&again, cache, recipe);
        clock.restart();
        while (!again.data() && clock.elapsed() < 60000)
            QTest::qWait(50);
        QVERIFY(again.data());
        QCOMPARE(std::filesystem::last_write_time(weights), written);
        // A view with sources of its own is left alone.
        QVERIFY(!LmDefaultLoader::start(&again, cache, recipe)->loadsDefault());
    }

    void cancelFromTheForm()
    {
        QTemporaryDir dir;
        featurescope::DefaultLanguageModelRecipe recipe;
        recipe.modelSteps = 100000; // would take long: the test cancels it
        LmFeaturesView view;
        LmDefaultLoader* loader = LmDefaultLoader::start(&view, dir.filePath(QStringLiteral("cache")), recipe);
        QVERIFY(loader->job()->isRunning());
        QTest::mouseClick(view.form()->cancelButton(), Qt::LeftButton);
        loader->job()->waitForFinished();
        QVERIFY(!loader->job()->isRunning());
        QVERIFY(!view.data());
        QVERIFY(view.form()->scanButton()->isEnabled());
        QVERIFY2(view.form()->statusText().contains(QStringLiteral("cancelled")), qPrintable(view.form()->statusText()));
    }
};

QTEST_MAIN(TestLmDefaultLoader)
#include "tst_lm_default_loader.moc"
