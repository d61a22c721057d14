#include "ScaleInvarianceTab.h"

#include "ScaleLabModelBar.h"
#include "ScaleLabPlots.h"
#include "ScaleLabText.h"
#include "ScaleSliderRow.h"

#include "common/BackgroundJob.h"
#include "mlp/ImageDataset.h"
#include "plots/LogScatterPlot.h"
#include "common/SettingsReader.h"

#include <nlohmann/json.hpp>

#include <QCoreApplication>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

using CoreLab = featurescope::ScaleInvarianceLab;
using featurescope::ScaleInvariancePoint;
using scalelab::grouped;
using scalelab::number;
using scalelab::tr;

namespace {

const QString kFigureLab = QStringLiteral("scale-lab");
const QString kFigureMeasures = QStringLiteral("scale-measures");
const QString kFigureOutput = QStringLiteral("scale-output");

// The line above the plots: the measures at the slider's c beside their values at c = 1.
QString readoutText(const CoreLab& lab, const ScaleInvariancePoint& p)
{
    const ScaleInvariancePoint& one = lab.reference();
    QString text = tr("<b>c = %1</b>: features per dimension <b>%2</b> = %3 \u00d7 c\u00b2 \u00b7 mean D\u1d62 <b>%4</b> "
                      "(largest change of any D\u1d62: %5)")
                       .arg(QLocale::c().toString(p.scale, 'g', 3), number(p.featuresPerDimension, 4),
                            number(one.featuresPerDimension, 4), QLocale::c().toString(p.meanDimensionality, 'f', 4),
                            p.maxDimensionalityChange == 0.0 ? QStringLiteral("0")
                                                             : QLocale::c().toString(p.maxDimensionalityChange, 'e', 0));
    switch (lab.kind()) {
    case CoreLab::Kind::TiedToy:
        text += tr(" \u00b7 loss <b>%1</b> (%2 at c = 1)").arg(number(p.loss, 4), number(one.loss, 4));
        break;
    case CoreLab::Kind::UntiedToy:
        text += tr(" \u00b7 loss <b>%1</b> (%2 at c = 1; encoder alone: %3)")
                    .arg(number(p.loss, 4), number(one.loss, 4), number(p.lossEncoderOnly, 4));
        break;
    case CoreLab::Kind::Classifier:
        text += tr(" \u00b7 accuracy <b>%1 %</b> \u00b7 predictions as at c = 1: <b>%2 of %3</b>%4 \u00b7 mean max "
                   "probability <b>%5</b> (%6 at c = 1), KL %7 nats")
                    .arg(QLocale::c().toString(100.0 * p.accuracy, 'f', 2),
                         grouped(lab.samples() - p.predictionsChanged), grouped(lab.samples()),
                         p.orderingsIdentical() ? tr(", every logit ordering too") : QString(),
                         QLocale::c().toString(p.meanMaxProbability, 'f', 3),
                         QLocale::c().toString(one.meanMaxProbability, 'f', 3), number(p.meanKlFromReference));
        break;
    case CoreLab::Kind::Matrix:
        break;
    }
    return text;
}

} // namespace

ScaleInvarianceTab::ScaleInvarianceTab(QWidget* parent) : QWidget(parent)
{
    m_dataDirectory = qEnvironmentVariableIsSet("FEATURESCOPE_FASHION_MNIST_DIR")
                          ? qEnvironmentVariable("FEATURESCOPE_FASHION_MNIST_DIR")
                          : QString::fromStdString(featurescope::ImageDataset::defaultFashionMnistDirectory());

    m_modelBar = new ScaleLabModelBar(this);
    m_slider = new ScaleSliderRow(this);
    m_readout = new QLabel(this);
    m_readout->setObjectName(QStringLiteral("scaleLabReadout"));
    m_readout->setWordWrap(true);
    m_readout->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_plots = new ScaleLabPlots(this);
    m_reading = new QLabel(this);
    m_reading->setObjectName(QStringLiteral("scaleLabReading"));
    m_reading->setWordWrap(true);
    m_reading->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_reading->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_modelBar);
    layout->addWidget(m_slider);
    layout->addWidget(m_readout);
    layout->addWidget(m_plots, 1);
    layout->addWidget(m_reading);

    m_prepareJob = new BackgroundJob(tr("Scale-invariance lab"), this);
    m_pointJob = new BackgroundJob(tr("Scale-invariance lab: one scale"), this);
    connect(m_prepareJob, &BackgroundJob::progress, this, &ScaleInvarianceTab::workProgress);
    connect(m_prepareJob, &BackgroundJob::finished, this, &ScaleInvarianceTab::onPrepared);
    connect(m_pointJob, &BackgroundJob::finished, this, &ScaleInvarianceTab::onPointEvaluated);
    connect(m_modelBar, &ScaleLabModelBar::choiceChanged, this, &ScaleInvarianceTab::compute);
    connect(m_modelBar, &ScaleLabModelBar::cancelRequested, this, &ScaleInvarianceTab::cancelWork);
    connect(m_slider, &ScaleSliderRow::scaleChanged, this, &ScaleInvarianceTab::evaluateCurrentScale);
}

ScaleInvarianceTab::~ScaleInvarianceTab()
{
    m_pending.reset();
    m_prepareJob->abandon();
    m_pointJob->abandon();
}

QStringList ScaleInvarianceTab::figureNames() const { return {kFigureLab, kFigureMeasures, kFigureOutput}; }

QWidget* ScaleInvarianceTab::figureWidget(const QString& name)
{
    if (name == kFigureLab)
        return this;
    if (name == kFigureMeasures)
        return m_plots->measuresPlot();
    if (name == kFigureOutput)
        return m_plots->outputPlot();
    return nullptr;
}

bool ScaleInvarianceTab::isBusy() const { return m_prepareJob->isRunning() || m_pointJob->isRunning(); }
ScaleInvarianceTab::Model ScaleInvarianceTab::model() const { return m_modelBar->model(); }
LogScatterPlot* ScaleInvarianceTab::measuresPlot() const { return m_plots->measuresPlot(); }
LogScatterPlot* ScaleInvarianceTab::outputPlot() const { return m_plots->outputPlot(); }
QString ScaleInvarianceTab::reading() const { return m_reading->text(); }
QString ScaleInvarianceTab::readout() const { return m_readout->text(); }
QString ScaleInvarianceTab::statusText() const { return m_modelBar->status(); }
void ScaleInvarianceTab::setDataDirectory(const QString& directory) { m_dataDirectory = directory; }
double ScaleInvarianceTab::scale() const { return m_slider->scale(); }
void ScaleInvarianceTab::setScale(double c) { m_slider->setScale(c); }

void ScaleInvarianceTab::setModel(Model model)
{
    m_modelBar->setModel(model);
    compute();
}

void ScaleInvarianceTab::setMatrixFile(const QString& path, const QString& tensor, bool transpose)
{
    m_modelBar->setMatrix(path, tensor, transpose);
    compute();
}

void ScaleInvarianceTab::compute()
{
    m_started = true;
    ScaleLabRequest request;
    request.model = model();
    request.dataDirectory = m_dataDirectory;
    if (request.model == Model::File) {
        if (m_modelBar->filePath().isEmpty() || m_modelBar->tensor().isEmpty()) {
            m_modelBar->setStatus(tr("Open a .safetensors file and choose a rank-2 tensor."));
            return;
        }
        request.path = m_modelBar->filePath();
        request.tensor = m_modelBar->tensor();
        request.transpose = m_modelBar->transpose();
    }
    start(request);
}

void ScaleInvarianceTab::start(const ScaleLabRequest& request)
{
    if (m_prepareJob->isRunning()) {
        // The running job stops at its next progress check; the newest request then starts.
        m_pending = request;
        m_prepareJob->cancel();
        return;
    }
    m_prepared.reset();
    m_lastRequest = request;
    m_modelBar->setCancelEnabled(true);
    const QString what = request.model == Model::FashionMlp ? tr("Training the Fashion-MNIST MLP without biases")
                         : request.model == Model::File     ? tr("Reading %1").arg(request.tensor)
                                                            : tr("Training the toy model");
    m_modelBar->setStatus(what + QStringLiteral("\u2026"));
    Q_EMIT workStarted(tr("Scale-invariance lab: %1").arg(what.toLower()));
    m_prepareJob->start([this, request](const featurescope::ProgressReporter& progress) {
        featurescope::ProgressReporter stage(progress, 0.0, 1.0);
        auto prepared = std::make_shared<const ScaleLabPrepared>(scalelab::prepare(request, &stage));
        m_prepareJob->deliver([this, prepared] { m_prepared = prepared; });
    });
}

void ScaleInvarianceTab::onPrepared()
{
    if (!m_prepared)
        return;
    const ScaleLabPrepared prepared = *m_prepared;
    m_prepared.reset();
    m_modelBar->setCancelEnabled(false);
    if (m_pending) {
        const ScaleLabRequest next = *m_pending;
        m_pending.reset();
        Q_EMIT workFinished(tr("Scale-invariance lab: switched model"));
        start(next);
        return;
    }
    if (prepared.cancelled) {
        m_modelBar->setStatus(tr("Cancelled."));
        Q_EMIT workFinished(tr("Scale-invariance lab cancelled"));
        return;
    }
    if (!prepared.error.isEmpty()) {
        m_modelBar->setStatus(prepared.error);
        Q_EMIT workFinished(tr("Scale-invariance lab: %1").arg(prepared.error));
        return;
    }
    showPrepared(prepared);
    Q_EMIT workFinished(tr("Scale-invariance lab ready"));
}

void ScaleInvarianceTab::showPrepared(const ScaleLabPrepared& prepared)
{
    m_lab = prepared.lab;
    m_points = prepared.points;
    m_summary = prepared.summary;
    m_description = prepared.description;
    m_modelBar->setStatus(m_description, QStringLiteral("%1\nScaled: %2")
                                             .arg(m_description, QString::fromStdString(m_lab->scaledMatrixDescription())));
    QString reading = QString::fromStdString(m_summary.reading) + prepared.contrast;
    m_reading->setText(reading.replace(QStringLiteral("D_i"), QStringLiteral("D\u1d62")));
    m_current.reset();
    m_plots->showSweep(*m_lab, m_points, m_summary);
    evaluateCurrentScale();
}

void ScaleInvarianceTab::cancelWork()
{
    m_pending.reset();
    m_pendingScale.reset();
    m_prepareJob->cancel();
}

void ScaleInvarianceTab::waitForWork()
{
    // Finish the job (and any request queued behind it), then the slider's evaluation, delivering their results now.
    // At least once: a job that has already finished may not have delivered its result yet.
    do {
        m_prepareJob->waitForFinished();
        m_pointJob->waitForFinished();
    } while (m_prepareJob->isRunning() || m_pointJob->isRunning());
}

void ScaleInvarianceTab::prepareForRender()
{
    waitForWork();
    if (!m_lab) {
        compute(); // the chosen model (the tied toy model by default)
        waitForWork();
        if (!m_lab && model() != Model::TiedToy) { // no dataset or no file: the toy model needs neither
            setModel(Model::TiedToy);
            waitForWork();
        }
    }
    m_plots->replotNow();
}

void ScaleInvarianceTab::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (!m_started && !testAttribute(Qt::WA_DontShowOnScreen))
        compute();
}

void ScaleInvarianceTab::evaluateCurrentScale()
{
    if (!m_lab)
        return;
    const double c = scale();
    if (scalelab::evaluationCost(*m_lab) <= 3e7) { // a toy model: well under a frame
        m_current = m_lab->evaluate(c);
        showCurrentPoint();
        return;
    }
    if (m_pointJob->isRunning()) {
        m_pendingScale = c;
        return;
    }
    const std::shared_ptr<const CoreLab> lab = m_lab;
    m_pointLab = lab;
    m_point.reset();
    m_pointJob->start([this, lab, c](const featurescope::ProgressReporter&) {
        const ScaleInvariancePoint point = lab->evaluate(c);
        m_pointJob->deliver([this, point] { m_point = point; });
    });
}

void ScaleInvarianceTab::onPointEvaluated()
{
    if (!m_point)
        return;
    const ScaleInvariancePoint point = *m_point;
    m_point.reset();
    const bool current = m_lab && m_pointLab == m_lab;
    if (current) {
        m_current = point;
        showCurrentPoint();
    }
    if (m_pendingScale || !current) {
        m_pendingScale.reset();
        evaluateCurrentScale(); // the slider moved on (or the model changed): evaluate where it is now
    }
}

void ScaleInvarianceTab::showCurrentPoint()
{
    if (!m_current || !m_lab)
        return;
    m_plots->showPoint(*m_lab, *m_current);
    m_readout->setText(readoutText(*m_lab, *m_current));
}

nlohmann::json ScaleInvarianceTab::saveSettings() const
{
    nlohmann::json settings = nlohmann::json::object();
    m_modelBar->writeState(settings);
    settings["scale_step"] = m_slider->step();
    settings["scale"] = scale();
    return settings;
}

void ScaleInvarianceTab::validateSettings(const nlohmann::json& settings, const std::string& where) const
{
    m_modelBar->validateState(settings, where);
    featurescope::SettingsReader(settings, where).integer("scale_step", m_slider->minimumStep(), m_slider->maximumStep());
}

void ScaleInvarianceTab::applySettings(const nlohmann::json& settings)
{
    m_modelBar->applyState(settings);
    m_slider->setStep(settings.at("scale_step").get<int>());
    evaluateCurrentScale();
    const ScaleLabRequest& last = m_lastRequest;
    const bool differs = last.model != model() ||
                         (model() == Model::File &&
                          (last.path != m_modelBar->filePath() || last.tensor != m_modelBar->tensor() ||
                           last.transpose != m_modelBar->transpose()));
    if (m_started && differs)
        compute();
}
