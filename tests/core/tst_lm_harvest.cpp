// `lm harvest` output: an .npz that ActivationImport reads back with the token strings, sequence ids and the same
// activations a direct forward pass gives at the hook.
#include "core/ScratchFiles.h"
#include "lm/ByteTokenizer.h"
#include "lm/LanguageModel.h"
#include "lm/LmHarvester.h"
#include "sae/ActivationImport.h"

#include <QTest>

using namespace featurescope;

class TestLmHarvest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsBackWithTokens()
    {
        GptConfig c;
        c.layers = 1;
        c.width = 16;
        c.heads = 2;
        c.inner = 24;
        c.vocabSize = 256;
        c.positions = 8;
        GptWeights w(c);
        w.initialize(9);
        const LanguageModel lm(GptModel(std::move(w)), std::make_shared<ByteTokenizer>());
        const std::string text = "h\xc3\xa9llo wonderful world, of bytes and tokens!"; // 43 bytes: 5 windows of 8
        ScratchFiles scratch;
        const std::string path = scratch.path(QStringLiteral("acts.npz")).toStdString();
        HarvestSettings s;
        s.hook = "blocks.0.mlp.hook_post";
        s.maxTokens = 20; // rounded up to whole windows: 3 x 8
        const HarvestResult r = LmHarvester::run(lm, text, s, path);
        QCOMPARE(r.rows, std::uint64_t(24));
        QCOMPARE(r.width, 24);

        ActivationImportOptions options;
        options.arrayName = "acts";
        const ImportedActivations imported = ActivationImport::load(path, options);
        QCOMPARE(imported.set.activations.rows(), 24); // d x N
        QCOMPARE(imported.set.activations.cols(), 24);
        QCOMPARE(int(imported.tokens.size()), 24);
        QCOMPARE(imported.tokens[0], std::string("h"));
        QCOMPARE(imported.tokens[3], std::string("l"));
        QCOMPARE(imported.tokens[1], std::string("\xef\xbf\xbd")); // half a character: U+FFFD
        QCOMPARE(imported.sequenceIds[7], std::int64_t(0));
        QCOMPARE(imported.sequenceIds[8], std::int64_t(1));
        QCOMPARE(imported.sequenceIds[23], std::int64_t(2));

        // The second window's activations equal a direct run of its bytes.
        std::vector<int> ids = ByteTokenizer().encode(text.substr(8, 8));
        RowMatrixF direct;
        GptHooks hooks;
        hooks.add(GptHookPoint::parse(s.hook, 1), [&](RowMatrixMap a, int, int) { direct = a; });
        GptActivations out;
        lm.model().forward(ids.data(), 1, 8, out, &hooks);
        for (int t = 0; t < 8; ++t)
            for (int k = 0; k < 24; ++k)
                QCOMPARE(imported.set.activations(k, 8 + t), direct(t, k));
        QVERIFY(!QFile::exists(QString::fromStdString(path + ".partial")));
    }
};

QTEST_GUILESS_MAIN(TestLmHarvest)
#include "tst_lm_harvest.moc"
