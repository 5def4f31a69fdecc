/**
 * `resources.type` values an advanced event selector may name (spec §4.4). AWS adds types
 * continually, so this is data, not logic: extend the list, nothing else changes.
 */
export const DATA_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  'AWS::AppConfig::Configuration', 'AWS::B2BI::Transformer', 'AWS::Bedrock::AgentAlias', 'AWS::Bedrock::FlowAlias',
  'AWS::Bedrock::Guardrail', 'AWS::Bedrock::KnowledgeBase', 'AWS::Cassandra::Table', 'AWS::CloudFront::KeyValueStore',
  'AWS::CloudTrail::Channel', 'AWS::CloudWatch::Metric', 'AWS::CodeWhisperer::Customization', 'AWS::CodeWhisperer::Profile',
  'AWS::Cognito::IdentityPool', 'AWS::DynamoDB::Stream', 'AWS::DynamoDB::Table', 'AWS::EC2::Snapshot', 'AWS::EMRWAL::Workspace',
  'AWS::FinSpace::Environment', 'AWS::Glue::Table', 'AWS::GreengrassV2::ComponentVersion', 'AWS::GreengrassV2::Deployment',
  'AWS::GuardDuty::Detector', 'AWS::IoT::Certificate', 'AWS::IoT::Thing', 'AWS::IoTSiteWise::Asset', 'AWS::IoTSiteWise::TimeSeries',
  'AWS::IoTTwinMaker::Entity', 'AWS::IoTTwinMaker::Workspace', 'AWS::KendraRanking::ExecutionPlan', 'AWS::Kinesis::Stream',
  'AWS::Kinesis::StreamConsumer', 'AWS::KinesisVideo::Stream', 'AWS::Lambda::Function', 'AWS::MachineLearning::MlModel',
  'AWS::ManagedBlockchain::Network', 'AWS::ManagedBlockchain::Node', 'AWS::MedicalImaging::Datastore', 'AWS::NeptuneGraph::Graph',
  'AWS::One::UKey', 'AWS::One::User', 'AWS::PaymentCryptography::Alias', 'AWS::PaymentCryptography::Key',
  'AWS::PCAConnectorAD::Connector', 'AWS::PCAConnectorSCEP::Connector', 'AWS::QApps:QApp', 'AWS::QBusiness::Application',
  'AWS::QBusiness::DataSource', 'AWS::QBusiness::Index', 'AWS::QBusiness::WebExperience', 'AWS::RDS::DBCluster',
  'AWS::RUM::AppMonitor', 'AWS::S3::AccessPoint', 'AWS::S3::Object', 'AWS::S3Express::Object', 'AWS::S3ObjectLambda::AccessPoint',
  'AWS::S3Outposts::Object', 'AWS::SageMaker::Endpoint', 'AWS::SageMaker::ExperimentTrialComponent', 'AWS::SageMaker::FeatureGroup',
  'AWS::ServiceDiscovery::Namespace', 'AWS::ServiceDiscovery::Service', 'AWS::SCN::Instance', 'AWS::SNS::PlatformEndpoint',
  'AWS::SNS::Topic', 'AWS::SQS::Queue', 'AWS::SSM::ManagedNode', 'AWS::SSMMessages::ControlChannel', 'AWS::StepFunctions::StateMachine',
  'AWS::SWF::Domain', 'AWS::ThinClient::Device', 'AWS::ThinClient::Environment', 'AWS::Timestream::Database', 'AWS::Timestream::Table',
  'AWS::VerifiedPermissions::PolicyStore', 'AWS::XRay::Trace',
]);

/** The types basic selectors' DataResources accept (spec §4.3). */
export const BASIC_DATA_RESOURCE_TYPES: ReadonlySet<string> = new Set(['AWS::S3::Object', 'AWS::Lambda::Function', 'AWS::DynamoDB::Table']);
