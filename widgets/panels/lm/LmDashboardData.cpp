#include "LmDashboardData.h"

#include "common/Cancelled.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "io/FolderChecksum.h"
#include "lm/LanguageModel.h"
#include "lm/TextCorpus.h"
#include "sae/ImportedSae.h"
#include "sae/SaeLensLoader.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>
#include <QThread>

#include <algorithm>

using namespace featurescope;

namespace {

// Examples kept per feature for the token search.
constexpr int kSearchExamples = 10;
// Multiply-adds the table may spend on every feature's top logits (about a second on two cores).
constexpr double kTableLogitBudget = 4e9;

} // namespace

CardOptions LmDashboardData::cardOptions()
{
    CardOptions options;
    options.topExamples = 10;
    options.contextTokens = 8;
    options.quantileGroups = 5;
    options.examplesPerGroup = 3;
    options.logits = 10;
    options.neighbours = 8;
    return options;
}

QString LmDashboardData::tokenText(const std::string& bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8);
    QString text = decoder(QByteArrayView(bytes.data(), qsizetype(bytes.size())));
    if (!decoder.hasError())
        return text;
    text.clear();
    for (const char c : bytes)
        text += QStringLiteral("\\x%1").arg(unsigned(static_cast<unsigned char>(c)), 2, 16, QLatin1Char('0'));
    return text;
}

QString LmDashboardData::visible(const QString& token)
{
    QString t = token;
    t.replace(QLatin1Char(' '), QChar(0x2423));
    t.replace(QLatin1Char('\n'), QChar(0x21B5));
    t.replace(QLatin1Char('\t'), QChar(0x2192));
    t.replace(QLatin1Char('\r'), QChar(0x240D));
    return t;
}

QString LmDashboardData::token(int id) const
{
    // Control characters (the fortunes' backspace overstrikes, escapes) would draw as boxes: show their code.
    const QString text = tokenText(m_lm->tokenizer().tokenBytes(id));
    QString out;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if ((u < 0x20 && u != u'\n' && u != u'\t') || u == 0x7f)
            out += QStringLiteral("\\x%1").arg(unsigned(u), 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

QString LmDashboardData::hookNameOf(const QString& saeDir)
{
    QFile file(saeDir + QStringLiteral("/cfg.json"));
    if (saeDir.isEmpty() || file.size() > 1'000'000 || !file.open(QIODevice::ReadOnly))
        return {};
    const QJsonObject cfg = QJsonDocument::fromJson(file.readAll()).object();
    QString hook = cfg.value(QStringLiteral("hook_name")).toString();
    if (hook.isEmpty())
        hook = cfg.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("hook_name")).toString();
    return hook;
}

std::shared_ptr<const LmDashboardData> LmDashboardData::build(const Request& request, const ProgressReporter& progress)
{
    if (request.modelDir.isEmpty() || request.saeDir.isEmpty() || request.corpusPath.isEmpty())
        throw InputError("choose a model folder, an SAE folder and a corpus first");
    // The checksums first: they describe the files as loaded unless something writes them during the load.
    progress.report(0.0, "Checking the files");
    Request resolved = request;
    {
        const ProgressReporter modelSum(progress, 0.0, 0.02), saeSum(progress, 0.02, 0.03);
        resolved.modelChecksum = QString::fromStdString(
            FolderChecksum::compute(request.modelDir.toStdString(), LanguageModel::folderFiles(), &modelSum));
        resolved.saeChecksum = QString::fromStdString(
            FolderChecksum::compute(request.saeDir.toStdString(), SaeLensLoader::folderFiles(), &saeSum));
    }
    progress.report(0.03, "Loading the model");
    const ProgressReporter modelStage(progress, 0.03, 0.08);
    auto lm = std::make_shared<const LanguageModel>(LanguageModel::load(request.modelDir.toStdString(), &modelStage));
    if (progress.isCancelled())
        throw Cancelled();
    progress.report(0.08, "Loading the SAE");
    const ProgressReporter saeStage(progress, 0.08, 0.12);
    auto sae = std::make_shared<const ImportedSae>(SaeLensLoader::load(request.saeDir.toStdString(), &saeStage));
    if (progress.isCancelled())
        throw Cancelled();
    progress.report(0.12, "Reading the corpus");
    std::string text = TextCorpus::load(request.corpusPath.toStdString()).text();
    // The scan reads `tokens` positions from the start: encode only the text that can reach them (a token is at
    // least one byte; GPT-2's average about four, eight leaves room for long ones).
    const std::uint64_t bytes = std::min<std::uint64_t>(text.size(), request.tokens * 8 + 4096);
    text.resize(std::size_t(bytes));
    if (resolved.hook.isEmpty())
        resolved.hook = QString::fromStdString(sae->config().hookName);
    return build(std::move(lm), std::move(sae), resolved, text, progress);
}

std::shared_ptr<const LmDashboardData> LmDashboardData::build(std::shared_ptr<const LanguageModel> lm,
                                                              std::shared_ptr<const ImportedSae> sae,
                                                              const Request& request, const std::string& corpusText,
                                                              const ProgressReporter& progress)
{
    std::shared_ptr<LmDashboardData> data(new LmDashboardData);
    data->m_request = request;
    if (data->m_request.hook.isEmpty())
        data->m_request.hook = defaultHook();
    data->m_lm = std::move(lm);
    data->m_sae = std::move(sae);
    const GptConfig& config = data->m_lm->model().config();
    data->m_hook = GptHookPoint::parse(data->m_request.hook.toStdString(), config.layers);
    const TransformerLensProcessing processing = TransformerLensProcessing::fromSaeLensConfig(
        data->m_sae->config().raw, (request.saeDir.isEmpty() ? QStringLiteral("SAE") : request.saeDir + QStringLiteral("/cfg.json")).toStdString());
    data->m_dashboard = std::make_unique<FeatureDashboard>(*data->m_lm, *data->m_sae, data->m_hook, processing);

    progress.report(0.14, "Tokenizing");
    const std::vector<int> ids = data->m_lm->tokenizer().encode(corpusText);
    DashboardSettings settings;
    settings.threads = std::max(1, QThread::idealThreadCount());
    settings.context = request.context > 0 ? std::min(request.context, config.positions) : std::min(config.positions, 128);
    settings.maxTokens = std::max<std::uint64_t>(request.tokens, std::uint64_t(settings.context));
    const ProgressReporter scanStage(progress, 0.15, 0.85);
    data->m_dashboard->scan(ids, settings, &scanStage);

    // One card per feature for the table and the token search.
    const int features = data->m_sae->latentDim();
    CardOptions options;
    options.topExamples = kSearchExamples;
    options.contextTokens = 8;
    options.quantileGroups = 0;
    options.neighbours = 0;
    // Every feature's logit effects cost vocabulary x d_model x d_sae multiply-adds: a second for the default byte
    // model, many minutes for GPT-2 with a wide SAE. Beyond the budget the table leaves them to the feature's card.
    const double logitCost = double(config.vocabSize) * double(config.width) * double(features);
    data->m_tableLogits = logitCost <= kTableLogitBudget;
    options.logits = data->m_tableLogits ? 5 : 0;
    data->m_summaries.resize(std::size_t(features));
    for (int f = 0; f < features; ++f) {
        if (f % 16 == 0) {
            if (progress.isCancelled())
                throw Cancelled();
            progress.report(0.85 + 0.15 * f / features, "Summarising the features");
        }
        const FeatureCard c = data->m_dashboard->card(f, options);
        LmFeatureSummary& s = data->m_summaries[std::size_t(f)];
        s.index = f;
        s.density = c.density;
        s.activeTokens = c.activeTokens;
        s.maxActivation = c.maxActivation;
        for (const auto& t : c.topLogits)
            s.topLogits << data->token(t.id);
        for (const DashboardExample& e : c.topExamples) {
            LmFeatureSummary::Example x{QString(), 0, 0};
            for (std::size_t t = 0; t < e.tokenIds.size(); ++t) {
                if (int(t) + e.first == e.position)
                    x.markStart = int(x.text.size());
                x.text += data->token(e.tokenIds[t]);
                if (int(t) + e.first == e.position)
                    x.markEnd = int(x.text.size());
            }
            s.examples.push_back(std::move(x));
        }
    }
    progress.report(1.0, "Done");
    return data;
}
