// LmControlExperiment: on a tiny byte model trained for a few seconds, every arm reports finite numbers under the
// documented keys, randomizing the weights destroys next-token prediction (the shuffled model's clean loss is far
// above the trained one's), runAll covers the four arms under one progress range, results survive a JSON round trip
// and malformed ones are refused, and a cancelled run stops.
#include "common/Cancelled.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "lm/ByteTokenizer.h"
#include "lm/GptTrainer.h"
#include "lm/LanguageModel.h"
#include "lmfeatures/LmControlExperiment.h"

#include <nlohmann/json.hpp>

#include <QTest>

#include <algorithm>
#include <cmath>
#include <memory>

using namespace featurescope;

namespace {

std::string corpus()
{
    const char* sentences[] = {"The cat sat on the mat. ", "A dog ran in the park. ", "Birds sing in the morning. ",
                               "The sun is warm today. ", "We read a book at night. "};
    std::string text;
    for (int i = 0; i < 400; ++i)
        text += sentences[(i * 7 + i / 5) % 5];
    return text;
}

std::shared_ptr<const LanguageModel> trainedModel(const std::string& text)
{
    GptConfig config;
    config.layers = 1;
    config.heads = 2;
    config.width = 32;
    config.inner = 128;
    config.positions = 32;
    GptWeights weights(config);
    weights.initialize(3);
    GptModel model(std::move(weights));
    GptTrainingSettings settings;
    settings.steps = 150;
    settings.batch = 16;
    settings.context = 32;
    settings.learningRate = 3e-3;
    GptTrainer trainer(model, settings);
    const ByteTokenizer bytes;
    trainer.train(bytes.encode(text));
    return std::make_shared<LanguageModel>(std::move(model), std::make_shared<ByteTokenizer>());
}

LmControlSettings smallSettings()
{
    LmControlSettings s;
    s.hook = "blocks.0.mlp.hook_post";
    s.tokens = 4096;
    s.evalTokens = 1024;
    s.sae.latentDim = 64;
    s.sae.l1 = 1e-3;
    s.training.steps = 200;
    s.training.batch = 128;
    s.training.initInputs = 1024;
    return s;
}

bool finite(const LmControlResult& r)
{
    for (double v : {r.ceClean, r.ceSae, r.ceAblated, r.ceLossScore, r.klScore, r.l0, r.explainedVariance,
                     r.proxies.tokenExplainedVariance, r.proxies.distinctTopTokens, r.proxies.meanDensity,
                     r.proxies.deadFraction, r.seconds})
        if (!std::isfinite(v))
            return false;
    return true;
}

} // namespace

class TestLmControl : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        m_text = corpus();
        m_lm = trainedModel(m_text);
    }

    void runAllArms()
    {
        const LmControlExperiment experiment(m_lm, m_text, smallSettings());
        double last = -1.0;
        bool monotone = true;
        std::vector<std::pair<double, std::string>> messages;
        ProgressReporter progress([&](double f, const std::string& message) {
            monotone = monotone && f >= last - 1e-9;
            last = f;
            messages.emplace_back(f, message);
        });
        const std::vector<LmControlResult> results = experiment.runAll(1, false, &progress);
        QCOMPARE(results.size(), std::size_t(4));
        QCOMPARE(QString::fromStdString(results[0].arm), QStringLiteral("trained"));
        QCOMPARE(QString::fromStdString(results[1].arm), QStringLiteral("shuffle"));
        QCOMPARE(QString::fromStdString(results[2].arm), QStringLiteral("reinit"));
        QCOMPARE(QString::fromStdString(results[3].arm), QStringLiteral("untrained"));
        QVERIFY(monotone);
        QCOMPARE(last, 1.0);
        // Every message names the arm whose quarter of the run it belongs to, the SAE trainer's too.
        const char* arms[] = {"trained", "shuffle", "reinit", "untrained"};
        int trainingMessages = 0;
        for (const auto& [fraction, message] : messages) {
            // At a boundary (0.25, 0.5, 0.75) the message may end one arm or begin the next.
            const auto named = [&](double f) {
                return message.rfind(std::string(arms[std::clamp(int(f * 4.0), 0, 3)]) + ": ", 0) == 0;
            };
            QVERIFY2(named(fraction - 1e-9) || named(fraction + 1e-9), (std::to_string(fraction) + " " + message).c_str());
            trainingMessages += message.find("training SAE") != std::string::npos;
        }
        QVERIFY(trainingMessages >= 4);
        for (const LmControlResult& r : results) {
            QVERIFY2(finite(r), r.toJson().dump().c_str());
            QVERIFY(r.l0 > 0.0);
            QCOMPARE(r.trainingSteps, 200);
            const nlohmann::json j = r.toJson();
            for (const char* key : {"arm", "ce_clean", "ce_sae", "ce_ablated", "ce_loss_score", "kl_score", "proxies",
                                    "l0", "explained_variance", "seconds"})
                QVERIFY2(j.contains(key), key);
            for (const char* key : {"token_explained_variance", "distinct_top_tokens", "logit_concentration",
                                    "mean_density", "dead_fraction"})
                QVERIFY2(j["proxies"].contains(key), key);
            // The round trip a session relies on.
            QCOMPARE(QString::fromStdString(LmControlResult::fromJson(j).toJson().dump()), QString::fromStdString(j.dump()));
        }
        // The trained byte model predicts this text far better than its shuffled copy (uniform over bytes is 5.5 nats).
        QVERIFY2(results[0].ceClean < 2.5, std::to_string(results[0].ceClean).c_str());
        QVERIFY2(results[1].ceClean > results[0].ceClean + 1.5, std::to_string(results[1].ceClean).c_str());
        // The SAE on the trained model keeps much of what deleting the activation loses.
        QVERIFY2(results[0].ceLossScore > 0.3, std::to_string(results[0].ceLossScore).c_str());
    }

    void keepEmbeddingsIsReported()
    {
        LmControlSettings s = smallSettings();
        s.training.steps = 20;
        const LmControlExperiment experiment(m_lm, m_text, s);
        LmControlArm arm;
        arm.control = TransformerRandomizer::Control::Reinit;
        arm.keepEmbeddings = true;
        const LmControlResult r = experiment.run(arm);
        QVERIFY(r.keepEmbeddings);
        QCOMPARE(QString::fromStdString(r.arm), QStringLiteral("reinit"));
    }

    void rejectsMalformedResults()
    {
        LmControlResult r;
        r.arm = "trained";
        nlohmann::json good = r.toJson();
        LmControlResult::fromJson(good);
        nlohmann::json bad = good;
        bad["arm"] = "banana";
        QVERIFY_THROWS_EXCEPTION(InputError, LmControlResult::fromJson(bad));
        bad = good;
        bad["ce_clean"] = "high";
        QVERIFY_THROWS_EXCEPTION(InputError, LmControlResult::fromJson(bad));
        bad = good;
        bad["proxies"].erase("distinct_top_tokens");
        QVERIFY_THROWS_EXCEPTION(InputError, LmControlResult::fromJson(bad));
        QVERIFY_THROWS_EXCEPTION(InputError, LmControlResult::fromJson(nlohmann::json::array()));
    }

    void rejectsBadSettings()
    {
        LmControlSettings s = smallSettings();
        s.hook = "blocks.5.mlp.hook_post";
        QVERIFY_THROWS_EXCEPTION(InputError, LmControlExperiment(m_lm, m_text, s));
        s = smallSettings();
        s.context = 1000;
        QVERIFY_THROWS_EXCEPTION(InputError, LmControlExperiment(m_lm, m_text, s));
    }

    void cancelStops()
    {
        const LmControlExperiment experiment(m_lm, m_text, smallSettings());
        ProgressReporter progress;
        progress.cancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled, experiment.runAll(1, false, &progress));
        // Cancelled mid-training (the SAE's first progress report): the run ends with Cancelled long before its
        // 100 000 steps, not with the results of a half-trained SAE.
        LmControlSettings s = smallSettings();
        s.training.steps = 100000;
        const LmControlExperiment slow(m_lm, m_text, s);
        ProgressReporter* self = nullptr;
        ProgressReporter midway([&](double, const std::string& message) {
            if (message == "trained: training SAE")
                self->cancel();
        });
        self = &midway;
        QVERIFY_THROWS_EXCEPTION(Cancelled, slow.run(LmControlArm{}, &midway));
    }

private:
    std::string m_text;
    std::shared_ptr<const LanguageModel> m_lm;
};

QTEST_GUILESS_MAIN(TestLmControl)
#include "tst_lm_control.moc"
