CREATE EXTERNAL TABLE `lake`.`daily_sales` (
  `event_date` date,
  `channel` string,
  `orders` bigint,
  `revenue` decimal(38,2),
  `customers` bigint
)
COMMENT 'Medallion Gold table of dataset sales: 3 measures by day, channel (event time, UTC), recomputed per day from Silver'
PARTITIONED BY (
  `year` int,
  `month` int,
  `day` int
)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
WITH SERDEPROPERTIES (
  'serialization.format'='1'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://lake-bucket/gold/daily_sales/'
TBLPROPERTIES (
  'classification'='parquet',
  'parquet.compression'='SNAPPY',
  'projection.day.digits'='2',
  'projection.day.range'='1,31',
  'projection.day.type'='integer',
  'projection.enabled'='true',
  'projection.month.digits'='2',
  'projection.month.range'='1,12',
  'projection.month.type'='integer',
  'projection.year.range'='2025,2026',
  'projection.year.type'='integer',
  'storage.location.template'='s3://lake-bucket/gold/daily_sales/year=${year}/month=${month}/day=${day}'
)