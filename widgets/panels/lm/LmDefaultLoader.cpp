#include "panels/lm/LmDefaultLoader.h"

#include "common/BackgroundJob.h"
#include "common/CacheFolders.h"
#include "lm/TextCorpus.h"
#include "panels/lm/LmFeaturesView.h"
#include "panels/lm/LmSourceForm.h"

#include <QThread>

LmDefaultLoader::LmDefaultLoader(LmFeaturesView* view, QString cacheFolder, featurescope::DefaultLanguageModelRecipe recipe)
    : QObject(view), m_view(view), m_cache(std::move(cacheFolder)), m_recipe(recipe),
      m_job(new BackgroundJob(tr("Training the default language model"), this))
{
    // The training shows in the view's own form too (progress, Cancel), not only in the main window's task list.
    LmSourceForm* form = view->form();
    connect(m_job, &BackgroundJob::progress, form, [form](double fraction, const QString& message) {
        form->setProgress(fraction, tr("First start: training the default model and its SAE (%1)").arg(message));
    });
    connect(form, &LmSourceForm::cancelRequested, m_job, &BackgroundJob::cancel);
    connect(m_job, &BackgroundJob::finished, this, [this, form](BackgroundJob::Outcome outcome, const QString& message) {
        form->setRunning(false);
        if (outcome == BackgroundJob::Outcome::Succeeded)
            scan();
        else if (outcome == BackgroundJob::Outcome::Cancelled)
            form->setStatus(tr("Default model training cancelled; “Default model” starts it again"));
        else
            form->setError(tr("The default model could not be trained: %1").arg(message));
    });
}

LmDefaultLoader* LmDefaultLoader::start(LmFeaturesView* view, const QString& cacheFolder,
                                        const featurescope::DefaultLanguageModelRecipe& recipe)
{
    auto* loader = new LmDefaultLoader(view, cacheFolder.isEmpty() ? CacheFolders::defaultLanguageModel() : cacheFolder,
                                       recipe);
    if (view->data() || view->saveState().value("scanned", false))
        return loader; // the view already shows sources of its own (a restored session)
    loader->m_loadsDefault = true;
    const std::string cache = loader->m_cache.toStdString();
    if (featurescope::DefaultLanguageModel::ready(cache)) {
        loader->scan();
        return loader;
    }
    view->form()->setRunning(true);
    view->form()->setStatus(tr("First start: training the default model and its SAE on the fortunes texts (about a "
                               "minute, once; the other panels work meanwhile)…"));
    const featurescope::DefaultLanguageModelRecipe r = recipe;
    const int threads = std::max(1, QThread::idealThreadCount());
    loader->m_job->start([cache, r, threads](const featurescope::ProgressReporter& progress) {
        featurescope::DefaultLanguageModel::ensure(cache, std::string(), threads, &progress, r);
    });
    return loader;
}

void LmDefaultLoader::scan()
{
    if (m_view->data() || m_view->saveState().value("scanned", false))
        return; // sources chosen meanwhile win
    const featurescope::DefaultLanguageModel::Paths p = featurescope::DefaultLanguageModel::paths(m_cache.toStdString());
    LmDashboardData::Request request;
    request.modelDir = QString::fromStdString(p.model);
    request.saeDir = QString::fromStdString(p.sae);
    request.corpusPath = QString::fromLatin1(featurescope::TextCorpus::kDefaultPath);
    m_view->setRequest(request);
    m_view->startScan();
}
