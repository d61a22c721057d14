#include "DataFileOpener.h"

#include "common/BackgroundJob.h"

#include "common/InputError.h"
#include "io/ArrayFile.h"
#include "common/Cancelled.h"
#include "io/SafetensorsFile.h"
#include "toy/ToyModelFile.h"
#include "sae/ActivationImport.h"
#include "sae/ImportedSae.h"
#include "sae/SaeLensLoader.h"

#include <QFileInfo>
#include <QInputDialog>

using namespace featurescope;

struct DataFileOpener::LoadResult {
    QString path;
    QStringList choices;    // several candidate arrays: ask, then load again
    ActivationImportOptions options;
    std::shared_ptr<const ImportedActivations> activations;
    std::shared_ptr<const ImportedSae> sae;
};

DataFileOpener::DataFileOpener(QWidget* dialogParent) : QObject(dialogParent), m_dialogParent(dialogParent)
{
    m_job = new BackgroundJob(tr("Opening a file"), this);
    connect(m_job, &BackgroundJob::progress, this, &DataFileOpener::progress);
    connect(m_job, &BackgroundJob::finished, this, &DataFileOpener::onFinished);
}

DataFileOpener::~DataFileOpener() { m_job->abandon(); }

QString DataFileOpener::fileFilter()
{
    return tr("Activations (*.npy *.npz *.safetensors);;All files (*)");
}

DataFileOpener::Kind DataFileOpener::classify(const QString& path)
{
    const QFileInfo info(path);
    if (info.isDir())
        return QFileInfo::exists(info.filePath() + QStringLiteral("/cfg.json")) ? Kind::Sae : Kind::Unknown;
    if (info.fileName() == QLatin1String("cfg.json"))
        return Kind::Sae;
    const QString suffix = info.suffix().toLower();
    if (suffix == QLatin1String("safetensors")) {
        // A toy model written by `featurescope tms --save` says so in its metadata (cheap: header only).
        try {
            const auto meta = SafetensorsFile::open(path.toStdString()).metadata();
            const auto it = meta.find("format");
            if (it != meta.end() && it->second == ToyModelFile::kFormat)
                return Kind::ToyModel;
        } catch (const std::exception&) {
            // unreadable: the activations loader will say why
        }
        return Kind::Activations;
    }
    if (suffix == QLatin1String("npy") || suffix == QLatin1String("npz"))
        return Kind::Activations;
    return Kind::Unknown;
}

void DataFileOpener::open(const QString& path)
{
    switch (classify(path)) {
    case Kind::Activations:
        openActivations(path);
        return;
    case Kind::Sae:
        openSae(path);
        return;
    case Kind::ToyModel:
        // The superposition panel has no public way to take a model in yet (see the report); say so clearly.
        Q_EMIT failed(tr("%1: a toy model (featurescope tms --save); opening toy models in the Superposition panel "
                         "is not supported yet, load it in Python with safetensors")
                          .arg(path));
        return;
    case Kind::Unknown:
        break;
    }
    Q_EMIT failed(QFileInfo(path).isDir()
                      ? tr("%1: not an SAE folder (no cfg.json inside)").arg(path)
                      : tr("%1: not a file featurescope opens (.npy, .npz, .safetensors activations, or an SAELens "
                           "folder / cfg.json)")
                            .arg(path));
}

namespace {

ActivationImportOptions defaultOptions(const ArrayFile& file)
{
    ActivationImportOptions options;
    // Labels come along when the file has an integer vector called "labels" (np.savez(..., labels=y)).
    if (const ArrayFile::Entry* labels = file.find("labels"); labels && dtypeIsInteger(labels->dtype) &&
                                                               labels->shape.size() == 1)
        options.labelsName = "labels";
    return options;
}

} // namespace

void DataFileOpener::openActivations(const QString& path)
{
    if (isBusy()) {
        Q_EMIT failed(tr("Still loading another file: wait for it or cancel it first"));
        return;
    }
    const std::string file = path.toStdString();
    launch(tr("Reading %1").arg(QFileInfo(path).fileName()), path, [file, path](const ProgressReporter& reporter) {
        auto result = std::make_shared<LoadResult>();
        result->path = path;
        NpyReadOptions npy;
        npy.unicodeAsU32 = true; // list token arrays without failing on them
        const ArrayFile arrays = ArrayFile::open(file, npy);
        result->options = defaultOptions(arrays);
        const auto candidates = ActivationImport::candidates(arrays);
        if (candidates.size() > 1) {
            for (const auto& c : candidates)
                result->choices << QString::fromStdString(c.name);
            return *result;
        }
        result->activations = std::make_shared<ImportedActivations>(ActivationImport::load(file, result->options, &reporter));
        return *result;
    });
}

void DataFileOpener::openSae(const QString& path)
{
    QString directory = path;
    if (QFileInfo(path).fileName() == QLatin1String("cfg.json"))
        directory = QFileInfo(path).absolutePath();
    if (isBusy()) {
        Q_EMIT failed(tr("Still loading another file: wait for it or cancel it first"));
        return;
    }
    launch(tr("Reading SAE %1").arg(QFileInfo(directory).fileName()), directory,
           [directory](const ProgressReporter& reporter) {
               LoadResult result;
               result.path = directory;
               result.sae = std::make_shared<ImportedSae>(SaeLensLoader::load(directory.toStdString(), &reporter));
               return result;
           });
}

void DataFileOpener::launch(const QString& description, const QString& path,
                            std::function<LoadResult(const ProgressReporter&)> job)
{
    Q_EMIT started(description);
    m_pending = true;
    m_path = path;
    m_result.reset();
    m_job->setTitle(description);
    m_job->start([this, job = std::move(job)](const ProgressReporter& progress) {
        std::shared_ptr<LoadResult> result;
        try {
            result = std::make_shared<LoadResult>(job(progress));
        } catch (const std::bad_alloc&) {
            throw InputError("not enough memory to load the file");
        }
        m_job->deliver([this, result] { m_result = result; });
    });
}

QString DataFileOpener::pickArray(const QString& path, const QStringList& choices)
{
    if (m_picker)
        return m_picker(path, choices);
    bool ok = false;
    const QString choice = QInputDialog::getItem(
        m_dialogParent, tr("Choose the activations"),
        tr("%1 holds several arrays that could be activations ([N, d], one row per input).\nWhich one?")
            .arg(QFileInfo(path).fileName()),
        choices, 0, false, &ok);
    return ok ? choice : QString();
}

void DataFileOpener::onFinished(BackgroundJob::Outcome outcome, const QString& error)
{
    m_pending = false;
    const QString name = QFileInfo(m_path).fileName();
    if (outcome == BackgroundJob::Outcome::Cancelled || (outcome == BackgroundJob::Outcome::Succeeded && !m_result)) {
        Q_EMIT finished(tr("Loading %1 cancelled").arg(name));
        return;
    }
    if (outcome == BackgroundJob::Outcome::Failed) {
        // Core messages name the file already; make sure the user sees which one in any case.
        const QString message = error.contains(m_path) || error.contains(name) ? error : tr("%1: %2").arg(m_path, error);
        Q_EMIT finished(tr("Could not open %1").arg(name));
        Q_EMIT failed(message);
        return;
    }
    const std::shared_ptr<LoadResult> result = m_result;
    if (!result->choices.isEmpty()) {
        m_picking = true;
        const QString choice = pickArray(result->path, result->choices);
        m_picking = false;
        if (choice.isEmpty()) {
            Q_EMIT finished(tr("Opening %1 cancelled").arg(name));
            return;
        }
        const std::string file = result->path.toStdString();
        ActivationImportOptions options = result->options;
        options.arrayName = choice.toStdString();
        const QString path = result->path;
        launch(tr("Reading %1 from %2").arg(choice, name), path, [file, path, options](const ProgressReporter& reporter) {
            LoadResult next;
            next.path = path;
            next.activations = std::make_shared<ImportedActivations>(ActivationImport::load(file, options, &reporter));
            return next;
        });
        return;
    }
    Q_EMIT opened(result->path);
    if (result->activations) {
        const auto& a = *result->activations;
        Q_EMIT finished(tr("Opened %1: %2 rows × %3%4")
                            .arg(name)
                            .arg(a.set.size())
                            .arg(a.set.activations.rows())
                            .arg(a.hasTokens() ? tr(" with token strings") : QString()));
        Q_EMIT activationsLoaded(result->activations);
    } else if (result->sae) {
        Q_EMIT finished(tr("Opened SAE %1: d_in %2, d_sae %3")
                            .arg(name)
                            .arg(result->sae->inputDim())
                            .arg(result->sae->latentDim()));
        Q_EMIT saeLoaded(result->sae, result->path);
    }
}

void DataFileOpener::cancel() { m_job->cancel(); }

void DataFileOpener::waitForFinished()
{
    // A picker answered synchronously can start a second load from onFinished: wait for that one too.
    while (m_pending)
        m_job->waitForFinished(); // delivers the job's result and finished signal
}
