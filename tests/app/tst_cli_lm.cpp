// `featurescope lm`: run on a golden model (logits, loss, hooks against the PyTorch reference), tokenize with GPT-2's
// files, train / save / reload / eval a small byte model, and hostile model folders refused with exit 2.
#include "app/CliRun.h"
#include "core/ScratchFiles.h"
#include "sae/ImportedSae.h"
#include "sae/SaeLensExporter.h"
#include "sae/SparseAutoencoder.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>

namespace {

const QString kData = QStringLiteral(FEATURESCOPE_TEST_DATA_DIR "/lm/");

QJsonObject readJson(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return QJsonDocument::fromJson(file.readAll()).object();
}

double maxDifference(const QJsonArray& a, const QJsonArray& b)
{
    if (a.size() != b.size())
        return INFINITY;
    double worst = 0.0;
    for (int r = 0; r < a.size(); ++r) {
        const QJsonArray x = a.at(r).toArray(), y = b.at(r).toArray();
        if (x.size() != y.size() || x.isEmpty())
            return INFINITY;
        for (int c = 0; c < x.size(); ++c)
            worst = std::max(worst, std::abs(x.at(c).toDouble() - y.at(c).toDouble()));
    }
    return worst;
}

QByteArray fileBytes(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return f.readAll();
}

} // namespace

class TestCliLm : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void runMatchesReference_data()
    {
        QTest::addColumn<QString>("hook");
        QTest::addColumn<bool>("center");
        QTest::newRow("resid_post centred") << QStringLiteral("blocks.1.hook_resid_post") << true;
        QTest::newRow("mlp post raw") << QStringLiteral("blocks.0.mlp.hook_post") << false;
        QTest::newRow("ln_final raw") << QStringLiteral("ln_final.hook_normalized") << false;
        QTest::newRow("attn_out centred") << QStringLiteral("blocks.0.hook_attn_out") << true;
    }

    void runMatchesReference()
    {
        QFETCH(QString, hook);
        QFETCH(bool, center);
        const QJsonObject golden = readJson(kData + QStringLiteral("tiny2.golden.json"));
        QStringList ids;
        for (const QJsonValue v : golden.value(QStringLiteral("ids")).toArray())
            ids << QString::number(v.toInt());
        QStringList arguments{QStringLiteral("lm"), QStringLiteral("run"), QStringLiteral("--model"),
                              kData + QStringLiteral("tiny2"), QStringLiteral("--ids"), ids.join(u','),
                              QStringLiteral("--hook"), hook, QStringLiteral("--json")};
        if (center)
            arguments << QStringLiteral("--center");
        const CliRun run = CliRun::run(arguments);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject out = QJsonDocument::fromJson(run.out).object();
        QVERIFY(maxDifference(out.value(QStringLiteral("logits")).toArray(),
                              golden.value(QStringLiteral("logits")).toArray()) < 2e-4);
        QVERIFY(std::abs(out.value(QStringLiteral("loss")).toDouble() - golden.value(QStringLiteral("loss")).toDouble()) < 2e-4);
        const QJsonObject hooks = golden.value(center ? QStringLiteral("centered") : QStringLiteral("hooks")).toObject();
        const QJsonObject h = out.value(QStringLiteral("hook")).toObject();
        QCOMPARE(h.value(QStringLiteral("name")).toString(), hook);
        QVERIFY(maxDifference(h.value(QStringLiteral("values")).toArray(), hooks.value(hook).toArray()) < 2e-4);
    }

    void tokenizeWithGpt2Files()
    {
        const CliRun run = CliRun::run({QStringLiteral("lm"), QStringLiteral("tokenize"), QStringLiteral("--model"),
                                        kData + QStringLiteral("gpt2-tokenizer"), QStringLiteral("--text"),
                                        QStringLiteral("Hello world"), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject out = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(out.value(QStringLiteral("ids")).toArray(), (QJsonArray{15496, 995}));
        QCOMPARE(out.value(QStringLiteral("tokens")).toArray(), (QJsonArray{QStringLiteral("Hello"), QStringLiteral(" world")}));
    }

    // A few steps on a small text: the loss falls, the folder is saved in the GPT-2 layout and reloads for eval.
    void trainSavesAReloadableModel()
    {
        ScratchFiles scratch;
        QByteArray text;
        for (int i = 0; i < 200; ++i)
            text += "the cat sat on the mat. the dog sat on the log. ";
        const QString corpus = scratch.write(QStringLiteral("corpus.txt"), text);
        const QString out = scratch.path(QStringLiteral("model"));
        const CliRun run = CliRun::run({QStringLiteral("lm"), QStringLiteral("train"), QStringLiteral("--corpus"), corpus,
                                        QStringLiteral("--d-model"), QStringLiteral("32"), QStringLiteral("--heads"),
                                        QStringLiteral("2"), QStringLiteral("--context"), QStringLiteral("16"),
                                        QStringLiteral("--batch"), QStringLiteral("8"), QStringLiteral("--steps"),
                                        QStringLiteral("150"), QStringLiteral("--lr"), QStringLiteral("3e-3"),
                                        QStringLiteral("--eval"), corpus, QStringLiteral("--out"), out,
                                        QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject result = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(result.value(QStringLiteral("steps")).toInt(), 150);
        QVERIFY(result.value(QStringLiteral("tokens_per_s")).toDouble() > 0);
        QVERIFY(result.value(QStringLiteral("seconds")).toDouble() > 0);
        // ln(256) = 5.55 nats at the start; this repetitive text is learnt far below it.
        QVERIFY2(result.value(QStringLiteral("loss")).toDouble() < 2.0, run.out.constData());
        const double heldOut = result.value(QStringLiteral("held_out_loss")).toDouble();
        QVERIFY(heldOut > 0 && heldOut < 2.0);
        QVERIFY(QFile::exists(out + QStringLiteral("/config.json")));
        QVERIFY(QFile::exists(out + QStringLiteral("/model.safetensors")));

        const CliRun eval = CliRun::run({QStringLiteral("lm"), QStringLiteral("eval"), QStringLiteral("--model"), out,
                                         QStringLiteral("--text-file"), corpus, QStringLiteral("--json")});
        QVERIFY2(eval.exitCode == 0, eval.err.constData());
        QVERIFY(std::abs(QJsonDocument::fromJson(eval.out).object().value(QStringLiteral("loss")).toDouble() - heldOut) < 1e-4);

        // Sampling with a seed repeats; 20 byte tokens are generated.
        const QStringList generate{QStringLiteral("lm"), QStringLiteral("generate"), QStringLiteral("--model"), out,
                                   QStringLiteral("--prompt"), QStringLiteral("the cat "), QStringLiteral("--tokens"),
                                   QStringLiteral("20"), QStringLiteral("--temperature"), QStringLiteral("0.8"),
                                   QStringLiteral("--top-k"), QStringLiteral("5"), QStringLiteral("--seed"),
                                   QStringLiteral("4"), QStringLiteral("--json")};
        const CliRun first = CliRun::run(generate), second = CliRun::run(generate);
        QVERIFY2(first.exitCode == 0, first.err.constData());
        QCOMPARE(first.out, second.out);
        QCOMPARE(QJsonDocument::fromJson(first.out).object().value(QStringLiteral("ids")).toArray().size(), 20);
    }

    // `lm splice`: an SAE that reconstructs its hook exactly scores 1 (no loss, no KL), one that outputs zeros scores
    // 0; the hook comes from the SAE's cfg.json; a width mismatch is refused with one line.
    void spliceScoresAnSae()
    {
        ScratchFiles scratch;
        QByteArray text;
        for (int i = 0; i < 60; ++i)
            text += "a stitch in time saves nine, said the tailor to the cat. ";
        const QString corpus = scratch.write(QStringLiteral("corpus.txt"), text);
        const QString model = scratch.path(QStringLiteral("model"));
        const CliRun train = CliRun::run({QStringLiteral("lm"), QStringLiteral("train"), QStringLiteral("--corpus"),
                                          corpus, QStringLiteral("--d-model"), QStringLiteral("16"),
                                          QStringLiteral("--heads"), QStringLiteral("2"), QStringLiteral("--d-mlp"),
                                          QStringLiteral("24"), QStringLiteral("--context"), QStringLiteral("16"),
                                          QStringLiteral("--batch"), QStringLiteral("4"), QStringLiteral("--steps"),
                                          QStringLiteral("60"), QStringLiteral("--lr"), QStringLiteral("3e-3"),
                                          QStringLiteral("--out"), model});
        QVERIFY2(train.exitCode == 0, train.err.constData());

        // d_in 24 (the MLP's hidden width): W_enc = [I; -I], W_dec = [I, -I], so ReLU(x) - ReLU(-x) = x exactly.
        featurescope::SaeConfig config;
        config.inputDim = 24;
        config.latentDim = 48;
        const featurescope::ImportedSae shape =
            featurescope::ImportedSae::fromSparseAutoencoder(featurescope::SparseAutoencoder(config), "blocks.0.mlp.hook_post");
        Eigen::MatrixXf encoder(48, 24), decoder(24, 48);
        encoder << Eigen::MatrixXf::Identity(24, 24), -Eigen::MatrixXf::Identity(24, 24);
        decoder << Eigen::MatrixXf::Identity(24, 24), -Eigen::MatrixXf::Identity(24, 24);
        const QString exact = scratch.path(QStringLiteral("exact")), zero = scratch.path(QStringLiteral("zero"));
        featurescope::SaeLensExporter::write(exact.toStdString(),
                                             featurescope::ImportedSae(shape.config(), encoder, Eigen::VectorXf::Zero(48),
                                                                       decoder, Eigen::VectorXf::Zero(24)));
        featurescope::SaeLensExporter::write(zero.toStdString(),
                                             featurescope::ImportedSae(shape.config(), encoder, Eigen::VectorXf::Zero(48),
                                                                       Eigen::MatrixXf::Zero(24, 48),
                                                                       Eigen::VectorXf::Zero(24)));
        auto splice = [&](const QString& sae, const QStringList& extra = {}) {
            return CliRun::run(QStringList{QStringLiteral("lm"), QStringLiteral("splice"), QStringLiteral("--model"), model,
                                           QStringLiteral("--sae"), sae, QStringLiteral("--text-file"), corpus,
                                           QStringLiteral("--json")} + extra);
        };
        const CliRun good = splice(exact);
        QVERIFY2(good.exitCode == 0, good.err.constData());
        const QJsonObject g = QJsonDocument::fromJson(good.out).object();
        QCOMPARE(g.value(QStringLiteral("hook")).toString(), QStringLiteral("blocks.0.mlp.hook_post"));
        QVERIFY2(std::abs(g.value(QStringLiteral("ce_loss_score")).toDouble() - 1.0) < 1e-4, good.out.constData());
        QVERIFY(g.value(QStringLiteral("kl_div_with_sae")).toDouble() < 1e-6);
        QVERIFY(g.value(QStringLiteral("kl_div_with_ablation")).toDouble() > 1e-6); // zeroing the hook does change things
        const CliRun bad = splice(zero);
        QVERIFY2(bad.exitCode == 0, bad.err.constData());
        const QJsonObject b = QJsonDocument::fromJson(bad.out).object();
        QVERIFY2(std::abs(b.value(QStringLiteral("ce_loss_score")).toDouble()) < 1e-4, bad.out.constData());
        QVERIFY2(std::abs(b.value(QStringLiteral("kl_div_score")).toDouble()) < 1e-4, bad.out.constData());

        // The SAE's cfg.json names no processing, so TransformerLens's defaults apply; a byte model has no BOS.
        const QJsonObject processing = g.value(QStringLiteral("processing")).toObject();
        QCOMPARE(processing.value(QStringLiteral("prepend_bos")).toBool(true), false);
        QCOMPARE(processing.value(QStringLiteral("center_writing_weights")).toBool(false), true);
        QCOMPARE(processing.value(QStringLiteral("fold_ln")).toBool(false), true);
        const CliRun raw = splice(exact, {QStringLiteral("--raw")});
        QVERIFY2(raw.exitCode == 0, raw.err.constData());
        const QJsonObject rawProcessing = QJsonDocument::fromJson(raw.out).object().value(QStringLiteral("processing")).toObject();
        QCOMPARE(rawProcessing.value(QStringLiteral("center_writing_weights")).toBool(true), false);

        // Harvesting for that SAE centres residual-stream hooks only (center_writing_weights), not the MLP's.
        for (const auto& [hook, centred] : {std::pair{QStringLiteral("blocks.0.hook_resid_mid"), true},
                                            std::pair{QStringLiteral("blocks.0.mlp.hook_post"), false}}) {
            const CliRun h = CliRun::run({QStringLiteral("lm"), QStringLiteral("harvest"), QStringLiteral("--model"), model,
                                          QStringLiteral("--corpus"), corpus, QStringLiteral("--hook"), hook,
                                          QStringLiteral("--tokens"), QStringLiteral("64"), QStringLiteral("--sae-config"),
                                          exact, QStringLiteral("--out"), scratch.path(QStringLiteral("h.npz")),
                                          QStringLiteral("--json")});
            QVERIFY2(h.exitCode == 0, h.err.constData());
            QCOMPARE(QJsonDocument::fromJson(h.out).object().value(QStringLiteral("centered")).toBool(!centred), centred);
        }

        // Dashboards of the same SAE: every feature by default, chosen ones with --features.
        auto dashboard = [&](const QStringList& extra) {
            return CliRun::run(QStringList{QStringLiteral("dashboard"), QStringLiteral("--model"), model,
                                           QStringLiteral("--sae"), exact, QStringLiteral("--corpus"), corpus,
                                           QStringLiteral("--tokens"), QStringLiteral("256"), QStringLiteral("--json")} + extra);
        };
        const CliRun everything = dashboard({});
        QVERIFY2(everything.exitCode == 0, everything.err.constData());
        const QJsonObject all = QJsonDocument::fromJson(everything.out).object();
        QCOMPARE(all.value(QStringLiteral("tokens_scanned")).toInt(), 256);
        QCOMPARE(all.value(QStringLiteral("features")).toArray().size(), 48);
        const CliRun chosen = dashboard({QStringLiteral("--features"), QStringLiteral("3,30")});
        QVERIFY2(chosen.exitCode == 0, chosen.err.constData());
        const QJsonArray two = QJsonDocument::fromJson(chosen.out).object().value(QStringLiteral("features")).toArray();
        QCOMPARE(two.size(), 2);
        for (const QJsonValue v : two) {
            const QJsonObject f = v.toObject();
            for (const char* key : {"index", "density", "max_activation", "top_examples", "quantile_groups", "top_logits",
                                    "bottom_logits", "activation_histogram"})
                QVERIFY2(f.contains(QLatin1String(key)), key);
            const QJsonArray examples = f.value(QStringLiteral("top_examples")).toArray();
            if (f.value(QStringLiteral("density")).toDouble() > 0) {
                QVERIFY(!examples.isEmpty());
                const QJsonObject e = examples.first().toObject();
                QCOMPARE(e.value(QStringLiteral("max_activation")).toDouble(), f.value(QStringLiteral("max_activation")).toDouble());
                const int at = e.value(QStringLiteral("position")).toInt() - e.value(QStringLiteral("first_position")).toInt();
                QCOMPARE(e.value(QStringLiteral("activations")).toArray().at(at).toDouble(),
                         e.value(QStringLiteral("max_activation")).toDouble());
                QCOMPARE(e.value(QStringLiteral("tokens")).toArray().size(), e.value(QStringLiteral("activations")).toArray().size());
            }
        }
        QCOMPARE(dashboard({QStringLiteral("--features"), QStringLiteral("48")}).exitCode, 2);
        QCOMPARE(dashboard({QStringLiteral("--features"), QStringLiteral("1,x")}).exitCode, 2);

        // Steering at strength 0 reproduces the unsteered text; a large strength changes it.
        auto generate = [&](const QString& steer) {
            return CliRun::run({QStringLiteral("lm"), QStringLiteral("generate"), QStringLiteral("--model"), model,
                                QStringLiteral("--prompt"), QStringLiteral("a stitch"), QStringLiteral("--tokens"),
                                QStringLiteral("20"), QStringLiteral("--temperature"), QStringLiteral("0.8"),
                                QStringLiteral("--seed"), QStringLiteral("4"), QStringLiteral("--steer"), steer,
                                QStringLiteral("--json")});
        };
        const CliRun still = generate(exact + QStringLiteral(":3:0"));
        QVERIFY2(still.exitCode == 0, still.err.constData());
        const QJsonObject s0 = QJsonDocument::fromJson(still.out).object();
        QCOMPARE(s0.value(QStringLiteral("text")).toString(), s0.value(QStringLiteral("unsteered_text")).toString());
        const CliRun pushed = generate(exact + QStringLiteral(":3:400"));
        QVERIFY2(pushed.exitCode == 0, pushed.err.constData());
        const QJsonObject s1 = QJsonDocument::fromJson(pushed.out).object();
        QVERIFY(s1.value(QStringLiteral("text")).toString() != s1.value(QStringLiteral("unsteered_text")).toString());
        QCOMPARE(s1.value(QStringLiteral("unsteered_text")).toString(), s0.value(QStringLiteral("unsteered_text")).toString());
        for (const QString& bad : {exact + QStringLiteral(":48:1"), exact + QStringLiteral(":3:strong"), QStringLiteral("3:1")}) {
            const CliRun refused = generate(bad);
            QCOMPARE(refused.exitCode, 2);
            QCOMPARE(refused.err.count('\n'), 1);
        }

        // An SAE trained on the model's activations, then on a shuffled copy of the model (the control).
        auto onModel = [&](const QStringList& extra) {
            return CliRun::run(QStringList{QStringLiteral("sae"), QStringLiteral("--source"), QStringLiteral("lm"),
                                           QStringLiteral("--model"), model, QStringLiteral("--corpus"), corpus,
                                           QStringLiteral("--tokens"), QStringLiteral("1024"), QStringLiteral("--eval-tokens"),
                                           QStringLiteral("256"), QStringLiteral("--d-sae"), QStringLiteral("48"),
                                           QStringLiteral("--steps"), QStringLiteral("150"), QStringLiteral("--batch"),
                                           QStringLiteral("128"), QStringLiteral("--json")} + extra);
        };
        const CliRun trainedRun = onModel({});
        QVERIFY2(trainedRun.exitCode == 0, trainedRun.err.constData());
        const QJsonObject t = QJsonDocument::fromJson(trainedRun.out).object();
        for (const char* key : {"ce_clean", "ce_sae", "ce_ablated", "ce_loss_score", "kl_score", "explained_variance", "l0"})
            QVERIFY2(t.value(QLatin1String(key)).isDouble(), key);
        for (const char* key : {"token_explained_variance", "distinct_top_tokens", "logit_concentration", "mean_density", "dead_fraction"})
            QVERIFY2(t.value(QStringLiteral("proxies")).toObject().contains(QLatin1String(key)), key);
        QVERIFY(t.value(QStringLiteral("randomized")).isNull());
        const CliRun shuffledRun = onModel({QStringLiteral("--randomized"), QStringLiteral("shuffle")});
        QVERIFY2(shuffledRun.exitCode == 0, shuffledRun.err.constData());
        const QJsonObject sh = QJsonDocument::fromJson(shuffledRun.out).object();
        QCOMPARE(sh.value(QStringLiteral("randomized")).toString(), QStringLiteral("shuffle"));
        QVERIFY2(sh.value(QStringLiteral("ce_clean")).toDouble() > t.value(QStringLiteral("ce_clean")).toDouble() + 0.5,
                 shuffledRun.out.constData());
        QCOMPARE(onModel({QStringLiteral("--randomized"), QStringLiteral("scramble")}).exitCode, 2);
        QCOMPARE(onModel({QStringLiteral("--keep-embeddings")}).exitCode, 2);

        const CliRun mismatch = splice(exact, {QStringLiteral("--hook"), QStringLiteral("blocks.0.hook_resid_mid")});
        QCOMPARE(mismatch.exitCode, 2);
        QVERIFY2(mismatch.err.contains("the SAE reads 24 values but blocks.0.hook_resid_mid has 16"), mismatch.err.constData());
        QCOMPARE(mismatch.err.count('\n'), 1);
    }

    void refusesBadInput_data()
    {
        QTest::addColumn<QString>("config");   // replaces config.json when not empty
        QTest::addColumn<int>("truncateTo");   // truncates model.safetensors when >= 0
        QTest::addColumn<QString>("ids");
        QTest::addColumn<QString>("expected"); // part of the one-line message
        const QString good = QString::fromUtf8(fileBytes(kData + QStringLiteral("tiny1/config.json")));
        QString heads = good;
        heads.replace(QStringLiteral("\"n_head\": 3"), QStringLiteral("\"n_head\": 5"));
        QString layers = good;
        layers.replace(QStringLiteral("\"n_layer\": 1"), QStringLiteral("\"n_layer\": 2"));
        QString width = good;
        width.replace(QStringLiteral("\"n_inner\": 100"), QStringLiteral("\"n_inner\": 101"));
        QString absurd = good;
        absurd.replace(QStringLiteral("\"vocab_size\": 61"), QStringLiteral("\"vocab_size\": 99999999999"));
        QTest::newRow("n_head does not divide") << heads << -1 << QStringLiteral("1") << QStringLiteral("does not divide");
        QTest::newRow("more layers than weights") << layers << -1 << QStringLiteral("1") << QStringLiteral("missing");
        QTest::newRow("shape disagrees") << width << -1 << QStringLiteral("1") << QStringLiteral("has shape");
        QTest::newRow("absurd vocabulary") << absurd << -1 << QStringLiteral("1") << QStringLiteral("out of range");
        QTest::newRow("malformed config") << QStringLiteral("{\"n_layer\": ") << -1 << QStringLiteral("1")
                                          << QStringLiteral("not valid JSON");
        QTest::newRow("truncated weights") << QString() << 5000 << QStringLiteral("1") << QStringLiteral("model.safetensors");
        QTest::newRow("id outside vocabulary") << QString() << -1 << QStringLiteral("1,61") << QStringLiteral("outside");
        QTest::newRow("longer than n_positions") << QString() << -1 << QStringLiteral("1,1,1,1,1,1,1,1,1,1,1,1,1")
                                                 << QStringLiteral("n_positions");
        QTest::newRow("not ids") << QString() << -1 << QStringLiteral("1,x") << QStringLiteral("--ids");
    }

    void refusesBadInput()
    {
        QFETCH(QString, config);
        QFETCH(int, truncateTo);
        QFETCH(QString, ids);
        QFETCH(QString, expected);
        ScratchFiles scratch;
        QByteArray weights = fileBytes(kData + QStringLiteral("tiny1/model.safetensors"));
        if (truncateTo >= 0)
            weights.truncate(truncateTo);
        scratch.write(QStringLiteral("m/model.safetensors"), weights);
        scratch.write(QStringLiteral("m/config.json"),
                      config.isEmpty() ? fileBytes(kData + QStringLiteral("tiny1/config.json")) : config.toUtf8());
        const CliRun run = CliRun::run({QStringLiteral("lm"), QStringLiteral("run"), QStringLiteral("--model"),
                                        scratch.path(QStringLiteral("m")), QStringLiteral("--ids"), ids,
                                        QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.err.count('\n'), 1);
        QVERIFY2(run.err.contains(expected.toUtf8()), run.err.constData());
        QVERIFY(run.out.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCliLm)
#include "tst_cli_lm.moc"
