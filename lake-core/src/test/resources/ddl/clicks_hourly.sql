CREATE EXTERNAL TABLE `web`.`clicks` (
  `url` string,
  `ts` timestamp,
  `_ingest_id` string,
  `_source_object` string,
  `_ingested_at` timestamp
)
COMMENT 'Medallion Silver table of dataset clicks: typed Snappy Parquet partitioned by event time (hour, UTC), read through Athena partition projection'
PARTITIONED BY (
  `year` int,
  `month` int,
  `day` int,
  `hour` int
)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
WITH SERDEPROPERTIES (
  'serialization.format'='1'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://lake-bucket/silver/clicks/'
TBLPROPERTIES (
  'classification'='parquet',
  'parquet.compression'='SNAPPY',
  'projection.day.digits'='2',
  'projection.day.range'='1,31',
  'projection.day.type'='integer',
  'projection.enabled'='true',
  'projection.hour.digits'='2',
  'projection.hour.range'='0,23',
  'projection.hour.type'='integer',
  'projection.month.digits'='2',
  'projection.month.range'='1,12',
  'projection.month.type'='integer',
  'projection.year.range'='2026,2026',
  'projection.year.type'='integer',
  'storage.location.template'='s3://lake-bucket/silver/clicks/year=${year}/month=${month}/day=${day}/hour=${hour}'
)