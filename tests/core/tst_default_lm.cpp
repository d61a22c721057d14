// DefaultLanguageModel: a first call trains the model and the SAE into the cache (both load, the SAE names its
// hook), a second finds them without training, and a cancelled run leaves nothing half-written behind.
#include "common/Cancelled.h"
#include "common/ProgressReporter.h"
#include "lm/LanguageModel.h"
#include "lmfeatures/DefaultLanguageModel.h"
#include "sae/ImportedSae.h"
#include "sae/SaeLensLoader.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>

using namespace featurescope;

class TestDefaultLm : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void trainsOnceThenFinds()
    {
        QTemporaryDir dir;
        const std::string corpus = dir.filePath(QStringLiteral("corpus.txt")).toStdString();
        {
            std::ofstream out(corpus);
            for (int i = 0; i < 400; ++i)
                out << "A stitch in time saves nine. Look before you leap. ";
        }
        const std::string cache = dir.filePath(QStringLiteral("cache")).toStdString();
        DefaultLanguageModel::Recipe recipe;
        recipe.modelSteps = 20;
        recipe.saeSteps = 50;
        recipe.latents = 64;
        recipe.positions = 2048;
        QVERIFY(!DefaultLanguageModel::ready(cache));

        ProgressReporter cancelled;
        cancelled.cancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled, DefaultLanguageModel::ensure(cache, corpus, 1, &cancelled, recipe));
        QVERIFY(!DefaultLanguageModel::ready(cache));
        QVERIFY(!std::filesystem::exists(DefaultLanguageModel::paths(cache).model)); // no half-trained model
        QVERIFY(!std::filesystem::exists(DefaultLanguageModel::paths(cache).model + ".partial"));

        double last = -1.0;
        ProgressReporter progress([&](double f, const std::string&) { last = f; });
        const DefaultLanguageModel::Paths p = DefaultLanguageModel::ensure(cache, corpus, 2, &progress, recipe);
        QCOMPARE(last, 1.0);
        QVERIFY(DefaultLanguageModel::ready(cache));
        const LanguageModel lm = LanguageModel::load(p.model);
        QCOMPARE(lm.model().config().layers, 1);
        const ImportedSae sae = SaeLensLoader::load(p.sae);
        QCOMPARE(sae.latentDim(), 64);
        QCOMPARE(sae.inputDim(), lm.model().config().inner);
        QCOMPARE(QString::fromStdString(sae.config().hookName), QStringLiteral("blocks.0.mlp.hook_post"));

        const auto written = std::filesystem::last_write_time(std::filesystem::path(p.sae) / "sae_weights.safetensors");
        DefaultLanguageModel::ensure(cache, corpus, 1, nullptr, recipe); // found: nothing is retrained
        QCOMPARE(std::filesystem::last_write_time(std::filesystem::path(p.sae) / "sae_weights.safetensors"), written);
    }
};

QTEST_GUILESS_MAIN(TestDefaultLm)
#include "tst_default_lm.moc"
